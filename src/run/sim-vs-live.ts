/**
 * Calibration of the simulator against reality: the same scenario, seed and policies run in sim and
 * live, and per policy the per-call latency percentiles side by side with their relative
 * differences. Both modes draw every link delay, service time and fault from the same keyed
 * streams, so on a fault-free scenario the difference is what the model leaves out: the cost of
 * real sockets, serialisation and the event loop (docs/live.md).
 */
import type { Report } from '../report/types.js';
import type { Scenario } from '../scenario/types.js';
import { runLive, withDuration, type LiveOptions } from './live.js';
import { runSim } from './sim.js';

export const CALIBRATION_PERCENTILES = ['p50', 'p95', 'p99'] as const;
export type CalibrationPercentile = (typeof CALIBRATION_PERCENTILES)[number];

export interface CalibrationRow {
  policy: string;
  /** Logical calls measured in each mode. */
  calls: { sim: number; live: number };
  /** Per-call latency percentiles, ms, scenario time. */
  sim: Record<CalibrationPercentile, number>;
  live: Record<CalibrationPercentile, number>;
  /** (live − sim) ÷ sim per percentile. */
  diff: Record<CalibrationPercentile, number>;
}

export interface Calibration {
  rows: CalibrationRow[];
  sim: Report;
  live: Report;
}

export function calibrationRows(sim: Report, live: Report): CalibrationRow[] {
  return live.policies.map((lp) => {
    const sp = sim.policies.find((p) => p.name === lp.name);
    if (!sp) throw new RangeError(`policy '${lp.name}' is missing from the sim report`);
    // Answered calls: a timing model is calibrated on the latency of calls that got an answer.
    const pick = (r: typeof lp) => Object.fromEntries(CALIBRATION_PERCENTILES.map((q) => [q, r.latency['call.completed'][q]])) as Record<CalibrationPercentile, number>;
    const s = pick(sp);
    const l = pick(lp);
    const diff = Object.fromEntries(CALIBRATION_PERCENTILES.map((q) => [q, s[q] > 0 ? (l[q] - s[q]) / s[q] : 0])) as Record<CalibrationPercentile, number>;
    return { policy: lp.name, calls: { sim: sp.latency['call.completed'].count, live: lp.latency['call.completed'].count }, sim: s, live: l, diff };
  });
}

/**
 * Timers a call's live latency waits on, one after the other: its four one-way link delays, the
 * relay's processing and the service time. Each can fire late by the machine's timer lateness.
 */
export const TIMERS_PER_CALL = 6;

/**
 * How far live may sit above sim at a percentile, for this run: the model's `tolerance` (5 % by
 * DESIGN.md) plus what the machine itself added, measured in the same run — every timer a call waits
 * on firing as late as the run's timers did at p95. On a quiet machine that is a few tenths of a
 * millisecond per timer; on a loaded one, tens. A real modelling error (a missing link delay, a
 * service time drawn from the wrong stream) is tens to hundreds of milliseconds at any load.
 */
export function allowedDiff(simMs: number, live: Report, tolerance = 0.05): number {
  const late = live.live?.timerLateness;
  const machine = late && late.count > 0 ? TIMERS_PER_CALL * late.p95 : 0;
  return simMs > 0 ? tolerance + machine / simMs : tolerance;
}

export async function calibrateSimLive(sc: Scenario, opts: LiveOptions = {}): Promise<Calibration> {
  // The same worlds as the live run: one replication unless the scenario sets more.
  const sim = runSim(withDuration(sc, opts.duration), { seed: opts.seed, policies: opts.policies, module: opts.module, replications: sc.replications ?? 1 });
  const live = await runLive(sc, opts);
  return { rows: calibrationRows(sim, live), sim, live };
}

/** The side-by-side table `tunnelsim calibrate` prints. */
export function calibrationTable(rows: CalibrationRow[]): string {
  const head = ['policy', 'calls', ...CALIBRATION_PERCENTILES.flatMap((q) => [`sim ${q}`, `live ${q}`, 'diff'])];
  const ms = (v: number) => `${v.toFixed(1)}ms`;
  const pct = (v: number) => `${v >= 0 ? '+' : ''}${(v * 100).toFixed(1)}%`;
  const body = rows.map((r) => [r.policy, `${r.calls.live}`, ...CALIBRATION_PERCENTILES.flatMap((q) => [ms(r.sim[q]), ms(r.live[q]), pct(r.diff[q])])]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [line(head), ...body.map(line)].join('\n');
}
