/**
 * Retry-storm figures from the per-window series (docs/reports.md "Retry storm"). The ratio of
 * attempts to calls offered explodes when new calls stop arriving — an outage fails workflows,
 * so few new calls are offered while retries of the old ones still go out — so it is taken only
 * over windows that offer at least half the median load. The peak attempt rate is compared with
 * the policy's own rate before the first fault window: what the faults did to its load.
 */
import { round } from '../metrics/hdr.js';
import type { FaultWindow, StormFigures } from '../report/types.js';

function median(xs: readonly number[]): number | null {
  if (xs.length === 0) return null;
  // A typed array sorts numbers natively; a comparator sort of a long run's 10⁵ windows cost more
  // than the rest of the report's figures. The series hold no NaN and no -0, so the order is the same.
  const s = Float64Array.from(xs).sort();
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/**
 * `series` are sums over `worlds` worlds that share one fault timeline; rates are per world and
 * per second.
 */
export function stormFigures(series: StormFigures['series'], worlds: number, windowMs: number, faultWindows: readonly FaultWindow[]): StormFigures {
  const perWorld = Math.max(worlds, 1);
  const seconds = windowMs / 1000;
  // Plain loops over the windows: a long run has 10⁵–10⁶ of them, too many to spread into
  // Math.max's arguments, and the per-window closures cost more than the figures.
  const attempts = series.attempts;
  const n = attempts.length;
  let firstFault = Infinity;
  for (const f of faultWindows) if (f.from < firstFault) firstFault = f.from;
  const rate = new Array<number>(n);
  const before: number[] = [];
  let peak = 0;
  let peakAt = 0;
  for (let i = 0; i < n; i++) {
    const r = attempts[i] / perWorld / seconds;
    rate[i] = r;
    if (r > peak) {
      peak = r;
      peakAt = i;
    }
    if ((i + 1) * windowMs <= firstFault) before.push(r);
  }
  const baseline = median(before.length > 0 ? before : rate);
  const offered = new Array<number>(series.offered.length);
  const positive: number[] = [];
  for (let i = 0; i < offered.length; i++) {
    const o = series.offered[i] / perWorld;
    offered[i] = o;
    if (o > 0) positive.push(o);
  }
  const minOffered = Math.max(1, (median(positive) ?? 0) / 2);
  let ratios = 0;
  let peakRatio = -Infinity;
  let above2x = 0;
  for (let i = 0; i < n; i++) {
    if (!(offered[i] >= minOffered)) continue;
    const r = attempts[i] / series.offered[i];
    ratios++;
    if (r > peakRatio) peakRatio = r;
    if (r > 2) above2x++;
  }
  return {
    windowMs,
    windows: rate.length,
    peakAttemptsPerSec: round(peak),
    peakAtMs: peakAt * windowMs,
    baselineAttemptsPerSec: baseline === null ? null : round(baseline),
    peakVsBaseline: baseline ? round(peak / baseline) : null,
    minOffered: round(minOffered),
    peakRatio: ratios > 0 ? round(peakRatio) : null,
    windowsAbove2x: above2x,
    series,
  };
}
