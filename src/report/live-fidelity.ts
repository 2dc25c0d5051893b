/**
 * Is a live run faithful to the model it runs? Every figure of a live report is in scenario time,
 * so the real stack's fixed cost per call — HTTP, WebSocket, JSON, the event loop, a busy machine —
 * counts 1/k scenario ms per wall ms at time scale k. The live transport measures it per answered
 * attempt: the real request's round trip less the delays the model injected there (links, server
 * queue and service, relay queue). Judged against the run's own figures:
 * - against a typical call (the answered calls' p50, the smallest over the policies): above 5 %
 *   (DESIGN.md's sim-vs-live budget) the latencies are the machine's as much as the scenario's;
 * - against the shortest timeout: when the overhead's p99 passes 10 % of it, timeouts fire that
 *   the simulator would not fire.
 * Overhead in wall ms does not depend on k, so the time scale that would bring both under their
 * limits is k × (the larger excess).
 */
import type { LiveFidelity, Report, Summary } from './types.js';

/** Overhead at p50 may be this share of a typical call. */
export const FAITHFUL_CALL_SHARE = 0.05;
/** Overhead at p99 may be this share of the shortest timeout. */
export const FAITHFUL_TIMEOUT_SHARE = 0.1;


export function liveFidelity(report: Report, overhead: Summary, timeScale: number): LiveFidelity {
  const p50s = report.policies.map((p) => p.latency['call.completed']?.p50).filter((v): v is number => typeof v === 'number' && v > 0);
  const callP50Ms = p50s.length ? Math.min(...p50s) : null;
  const timeouts = report.scenario.policies.flatMap((p) => Object.values(p.timeouts ?? {})).filter((v): v is number => typeof v === 'number' && Number.isFinite(v) && v > 0);
  const shortestTimeoutMs = timeouts.length ? Math.min(...timeouts) : null;
  const measured = overhead.count > 0;
  const callShare = measured && callP50Ms ? overhead.p50 / callP50Ms : null;
  const timeoutShare = measured && shortestTimeoutMs ? overhead.p99 / shortestTimeoutMs : null;
  const excess = Math.max((callShare ?? 0) / FAITHFUL_CALL_SHARE, (timeoutShare ?? 0) / FAITHFUL_TIMEOUT_SHARE);
  const round = (v: number | null) => (v === null ? null : Number(v.toPrecision(4)));
  const out: LiveFidelity = { overhead, callP50Ms: round(callP50Ms), callShare: round(callShare), shortestTimeoutMs, timeoutShare: round(timeoutShare), faithful: excess <= 1 };
  if (!out.faithful) out.faithfulAtTimeScale = Number((timeScale * excess).toPrecision(2));
  return out;
}

const ms = (v: number) => (v >= 100 ? `${v.toFixed(0)} ms` : `${v.toPrecision(2)} ms`);
const pct = (v: number) => `${(v * 100).toFixed(v < 0.1 ? 1 : 0)} %`;

/** The line every view prints under the time scale. */
export function fidelityLine(f: LiveFidelity): string {
  const o = f.overhead;
  if (o.count === 0) return 'fidelity: no answered call to measure the real stack by';
  const parts = [`real-stack overhead per call p50 ${ms(o.p50)}, p99 ${ms(o.p99)} of scenario time`];
  if (f.callShare !== null) parts.push(`${pct(f.callShare)} of a typical call (p50 ${ms(f.callP50Ms!)})`);
  if (f.timeoutShare !== null) parts.push(`p99 ${pct(f.timeoutShare)} of the shortest timeout (${ms(f.shortestTimeoutMs!)})`);
  const head = `fidelity: ${parts.join('; ')}`;
  if (f.faithful) return `${head} — faithful to the model (within ${pct(FAITHFUL_CALL_SHARE)} of a call, ${pct(FAITHFUL_TIMEOUT_SHARE)} of a timeout)`;
  const at = f.faithfulAtTimeScale!;
  const advice = at > 1 ? 'even at time scale 1 this machine adds more than that: the scenario is faster than the real stack here' : `run at --time-scale ${at} or slower for figures to compare with sim`;
  return `${head} — NOT faithful: these latencies and timeouts measure the machine as much as the scenario; ${advice}`;
}
