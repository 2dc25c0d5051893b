/**
 * The calibration pass behind percentile timeouts and hedge delays (`p95x1.5`), at the load the
 * policies will see. The scenario's own workload runs once under a neutral caller — a long fixed
 * timeout, no retries, no breaker — with its time-windowed faults left out (`calibration.faults:
 * exclude`, the default) or kept (`include`). Attempts are kept by when they were sent, and only
 * the steady state counts: the warm-up (MSER truncation, or `calibration.warmup`) and the drain
 * after the last workflow started are cut away (metrics/steady-state.ts). Tools `calibration.probe`
 * names take their percentiles from `tunnelsim probe`'s samples instead.
 *
 * The pass depends only on the scenario and seed, never on which policies the run holds, so every
 * policy resolves its timeouts from the same figures; the report prints them (ScenarioInfo.calibration).
 */
import { decode, encode, newHistogram, type Histogram } from '../metrics/hdr.js';
import { MAX_STEADY_DRIFT, SteadyStateRecorder, type SteadyWindow } from '../metrics/steady-state.js';
import { ALL_FAILURES, DEFAULT_BACKOFF, type Policy, type TimeoutValue } from '../policy/types.js';
import type { CalibrationInfo } from '../report/types.js';
import type { Scenario } from '../scenario/types.js';
import { isWindowed } from '../scenario/fault-schema.js';
import type { UserWorkflow } from '../agent/script.js';
import { deriveSeed } from '../kernel/rng.js';
import { runWorld } from './world.js';

/** The neutral caller's timeout: long enough to see the tail, short enough that hangs end. */
export const CALIBRATION_TIMEOUT_MS = 600_000;
/** The steady-state recorder's first segment length; segments double as the pass grows (≤ 32 of them). */
const FIRST_SEGMENT_MS = 1000;

export const NEUTRAL_POLICY: Policy = {
  name: 'calibration',
  description: 'neutral caller for percentile timeouts',
  timeout: { default: { kind: 'fixed', ms: CALIBRATION_TIMEOUT_MS }, perTool: {} },
  retry: { maxAttempts: 1, backoff: DEFAULT_BACKOFF, layer: 'transport', retryOn: new Set(ALL_FAILURES), retryNonIdempotent: false, honorRetryAfter: true },
  cancelOnTimeout: false,
};

export type CalibrationSource = 'sim' | 'probe';

/** What percentile timeouts resolve from. */
export interface Calibration {
  /** Per tool index: the attempt latencies (µs) the percentiles are read from. */
  histograms: Histogram[];
  /** Per tool index: the neutral pass (`sim`) or `tunnelsim probe`'s samples (`probe`). */
  sources: CalibrationSource[];
  /** The neutral pass's measured window, ms of virtual time (absent when every tool was probed). */
  window?: { fromMs: number; toMs: number; warmup: 'auto' | 'fixed' | 'none'; drift: number; extended: boolean };
  faults: 'exclude' | 'include';
}

/** The same, as plain data that crosses worker threads (histograms as HdrHistogram base64). */
export type EncodedCalibration = Omit<Calibration, 'histograms'> & { histograms: string[] };

export function encodeCalibration(c: Calibration): EncodedCalibration {
  return { ...c, histograms: c.histograms.map(encode) };
}

export function decodeCalibration(c: EncodedCalibration): Calibration {
  return { ...c, histograms: c.histograms.map(decode) };
}

export function needsCalibration(policies: readonly Policy[]): boolean {
  const pct = (t: TimeoutValue) => t.kind === 'percentile';
  return policies.some((p) => pct(p.timeout.default) || Object.values(p.timeout.perTool).some(pct) || (p.hedging !== undefined && pct(p.hedging.delay)));
}

/** The scenario the neutral pass runs: its own workload (or `calibration.duration` of it), its faults as `calibration.faults` says. */
export function calibrationScenario(sc: Scenario): Scenario {
  const c = sc.calibration;
  const workload = c.duration === undefined ? sc.workload : { ...sc.workload, workflows: undefined, duration: c.duration };
  const faults = c.faults === 'include' ? sc.faults : sc.faults.filter((f) => !isWindowed(f));
  return { ...sc, workload, faults };
}

/**
 * A pass too short to reach its steady state (a load near or past capacity, where the queue takes
 * long to settle) runs again this many times as long, once: the percentiles a long run at this
 * load would measure, as production would.
 */
export const EXTEND_FACTOR = 4;

/** The same workload, `factor` times as long; undefined when its rate changes over time (stages, a profile), which no extension makes steady. */
export function extendedScenario(sc: Scenario, factor: number): Scenario | undefined {
  const w = sc.workload;
  if (w.model === 'open' && !w.rate.isConstant) return undefined;
  const scale = (v: number | undefined) => (v === undefined ? undefined : v * factor);
  return { ...sc, workload: { ...w, workflows: scale(w.workflows), duration: scale(w.duration) } };
}

function neutralPass(sc: Scenario, seed: number, module: UserWorkflow | undefined, latestFromMs: number): SteadyWindow {
  const steady = new SteadyStateRecorder(sc.tools.length, FIRST_SEGMENT_MS);
  const timeouts = sc.tools.map(() => CALIBRATION_TIMEOUT_MS);
  runWorld(sc, NEUTRAL_POLICY, deriveSeed(seed, 'calibration'), timeouts, module, undefined, { observer: steady });
  return steady.window(sc.calibration.warmup, latestFromMs);
}

/** Runs the calibration: the neutral pass (unless every tool was probed) and the probed samples. */
export function calibrate(sc: Scenario, seed: number, module?: UserWorkflow): Calibration {
  const probed = sc.calibration.probed;
  const sources = sc.tools.map((t): CalibrationSource => (probed[t.index] ? 'probe' : 'sim'));
  let pass: SteadyWindow | undefined;
  let extended = false;
  if (sources.includes('sim')) {
    const base = calibrationScenario(sc);
    // Fault windows the pass includes stay inside the measured window (the warm-up cut stops at the
    // first), and the drift they cause is theirs, not the load's: no extension then.
    const windows = base.faults.filter(isWindowed).map((f) => f.from ?? 0);
    const latestFrom = windows.length > 0 ? Math.min(...windows) : Infinity;
    pass = neutralPass(base, seed, module, latestFrom);
    const longer = pass.drift > MAX_STEADY_DRIFT && windows.length === 0 ? extendedScenario(base, EXTEND_FACTOR) : undefined;
    if (longer) {
      pass = neutralPass(longer, seed, module, latestFrom);
      extended = true;
    }
  }
  const histograms = sc.tools.map((t) => {
    const samples = probed[t.index];
    if (!samples) return pass!.histograms[t.index];
    const h = newHistogram();
    for (const ms of samples) h.recordValue(Math.round(ms * 1000));
    return h;
  });
  return {
    histograms,
    sources,
    window: pass && { fromMs: pass.fromMs, toMs: pass.toMs, warmup: pass.warmup, drift: pass.drift, extended },
    faults: sc.calibration.faults,
  };
}

/** What a report keeps of a calibration: per tool p50/p95/p99 (ms), sample count and source. */
export function calibrationInfo(sc: Scenario, c: Calibration): CalibrationInfo {
  const ms = (h: Histogram, p: number) => Math.round(h.getValueAtPercentile(p)) / 1000;
  return {
    ...(c.window ? { window: c.window } : {}),
    faults: c.faults,
    tools: Object.fromEntries(
      sc.tools.map((t) => {
        const h = c.histograms[t.index];
        return [t.name, { source: c.sources[t.index], count: h.totalCount, p50: ms(h, 50), p95: ms(h, 95), p99: ms(h, 99) }];
      }),
    ),
  };
}

/** A timeout-like value for one tool (ms; Infinity for none): `p99x1.2` = 1.2 × the tool's calibrated p99. */
export function resolveValue(v: TimeoutValue, tool: number, calibration: Calibration | undefined): number {
  if (v.kind === 'none') return Infinity;
  if (v.kind === 'fixed') return v.ms;
  const h = calibration!.histograms[tool];
  if (h.totalCount === 0) return CALIBRATION_TIMEOUT_MS;
  return (h.getValueAtPercentile(v.percentile) / 1000) * v.factor;
}

/** Resolves a policy's timeout for every tool (ms; Infinity for none). */
export function resolveTimeouts(sc: Scenario, policy: Policy, calibration: Calibration | undefined): number[] {
  return sc.tools.map((tool) => resolveValue(policy.timeout.perTool[tool.name] ?? policy.timeout.default, tool.index, calibration));
}

/** Resolves a policy's hedge delay for every tool (ms; Infinity when it does not hedge). */
export function resolveHedgeDelays(sc: Scenario, policy: Policy, calibration: Calibration | undefined): number[] {
  return sc.tools.map((tool) => (policy.hedging ? resolveValue(policy.hedging.delay, tool.index, calibration) : Infinity));
}
