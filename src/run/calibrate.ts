/**
 * The calibration pass behind percentile timeouts (`p95x1.5`): the scenario runs once under a
 * neutral caller — a long fixed timeout, no retries, no breaker — and each tool's attempt latency
 * histogram gives its percentiles. The pass depends only on the scenario and seed, never on which
 * policies the run holds, so every policy resolves its timeouts from the same figures.
 */
import type { Histogram } from '../metrics/hdr.js';
import { ALL_FAILURES, DEFAULT_BACKOFF, type Policy, type TimeoutValue } from '../policy/types.js';
import type { Scenario } from '../scenario/types.js';
import type { UserWorkflow } from '../agent/script.js';
import { deriveSeed } from '../kernel/rng.js';
import { runWorld } from './world.js';

/** Calibration runs at most this many workflows: enough for stable tail percentiles per tool. */
export const CALIBRATION_WORKFLOWS = 300;
/** The neutral caller's timeout: long enough to see the tail, short enough that hangs end. */
export const CALIBRATION_TIMEOUT_MS = 600_000;

const NEUTRAL: Policy = {
  name: 'calibration',
  description: 'neutral caller for percentile timeouts',
  timeout: { default: { kind: 'fixed', ms: CALIBRATION_TIMEOUT_MS }, perTool: {} },
  retry: { maxAttempts: 1, backoff: DEFAULT_BACKOFF, layer: 'transport', retryOn: new Set(ALL_FAILURES), retryNonIdempotent: false, honorRetryAfter: true },
  cancelOnTimeout: false,
};

export function needsCalibration(policies: readonly Policy[]): boolean {
  const pct = (t: TimeoutValue) => t.kind === 'percentile';
  return policies.some((p) => pct(p.timeout.default) || Object.values(p.timeout.perTool).some(pct) || (p.hedging !== undefined && pct(p.hedging.delay)));
}

/** Per-tool attempt-latency histograms (µs) from the calibration pass. */
export function calibrate(sc: Scenario, seed: number, module?: UserWorkflow): Histogram[] {
  const wl = sc.workload;
  const workflows = Math.min(wl.workflows ?? CALIBRATION_WORKFLOWS, CALIBRATION_WORKFLOWS);
  const calibration: Scenario = { ...sc, workload: { ...wl, workflows, duration: undefined } };
  const timeouts = sc.tools.map(() => CALIBRATION_TIMEOUT_MS);
  const { rec } = runWorld(calibration, NEUTRAL, deriveSeed(seed, 'calibration'), timeouts, module);
  return rec.tools.map((t) => t.attempt.toHdr());
}

/** A timeout-like value for one tool (ms; Infinity for none): `p99x1.2` = 1.2 × the tool's calibrated p99. */
export function resolveValue(v: TimeoutValue, tool: number, calibration: Histogram[] | undefined): number {
  if (v.kind === 'none') return Infinity;
  if (v.kind === 'fixed') return v.ms;
  const h = calibration![tool];
  if (h.totalCount === 0) return CALIBRATION_TIMEOUT_MS;
  return (h.getValueAtPercentile(v.percentile) / 1000) * v.factor;
}

/** Resolves a policy's timeout for every tool (ms; Infinity for none). */
export function resolveTimeouts(sc: Scenario, policy: Policy, calibration: Histogram[] | undefined): number[] {
  return sc.tools.map((tool) => resolveValue(policy.timeout.perTool[tool.name] ?? policy.timeout.default, tool.index, calibration));
}

/** Resolves a policy's hedge delay for every tool (ms; Infinity when it does not hedge). */
export function resolveHedgeDelays(sc: Scenario, policy: Policy, calibration: Histogram[] | undefined): number[] {
  return sc.tools.map((tool) => (policy.hedging ? resolveValue(policy.hedging.delay, tool.index, calibration) : Infinity));
}
