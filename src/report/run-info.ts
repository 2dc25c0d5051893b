/** The lines every view prints about how a report was made: mode, seed, replications, and for a live run its time scale and timer lateness. */
import { fidelityLine } from './live-fidelity.js';
import type { Report } from './types.js';

/** `sim, seed 42, 5 replications × 2,000 workflows per policy`. */
export function runDescription(report: Report): string {
  const p = report.policies[0];
  const perWorld = p && p.worlds > 0 ? Math.round(p.workflows.started / p.worlds) : 0;
  const reps = `${report.replications} replication${report.replications === 1 ? '' : 's'}`;
  return `${report.mode}, seed ${report.seed}, ${reps} × ${perWorld.toLocaleString('en-US')} workflows per policy${report.shard ? `, shard ${report.shard}` : ''}`;
}

/**
 * A live run's clock, in words: the time scale (figures are in scenario time, so each real
 * millisecond of overhead counts 1/k ms) and how late its timers fired. Empty for a sim report.
 */
export function liveLines(report: Report): string[] {
  const live = report.live;
  if (!live) return [];
  const k = live.timeScale;
  const speed = k === 1 ? 'real time' : k < 1 ? `${+(1 / k).toPrecision(3)}× faster than scenario time: each real ms of overhead reads as ${+(1 / k).toPrecision(3)} ms` : `${+k.toPrecision(3)}× slower than scenario time`;
  const lines = [`time scale ${k} (${speed})`];
  const late = live.timerLateness;
  if (late && late.count > 0) {
    const priority = live.realtime ? 'real-time priority' : 'normal priority';
    lines.push(`timer lateness: ${late.count.toLocaleString('en-US')} timers fired late by p50 ${late.p50.toFixed(3)} ms, p99 ${late.p99.toFixed(3)} ms, max ${late.max.toFixed(3)} ms of wall time (${priority})`);
  }
  if (live.fidelity) lines.push(fidelityLine(live.fidelity));
  return lines;
}
