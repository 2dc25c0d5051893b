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
  const s = [...xs].sort((a, b) => a - b);
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
  const rate = series.attempts.map((a) => a / perWorld / seconds);
  let peak = 0;
  let peakAt = 0;
  rate.forEach((r, i) => {
    if (r > peak) {
      peak = r;
      peakAt = i;
    }
  });
  const firstFault = Math.min(...faultWindows.map((f) => f.from));
  const before = rate.filter((_, i) => (i + 1) * windowMs <= firstFault);
  const baseline = median(before.length > 0 ? before : rate);
  const offered = series.offered.map((o) => o / perWorld);
  const minOffered = Math.max(1, (median(offered.filter((o) => o > 0)) ?? 0) / 2);
  const ratios: number[] = [];
  series.attempts.forEach((a, i) => {
    if (offered[i] >= minOffered) ratios.push(a / series.offered[i]);
  });
  return {
    windowMs,
    windows: rate.length,
    peakAttemptsPerSec: round(peak),
    peakAtMs: peakAt * windowMs,
    baselineAttemptsPerSec: baseline === null ? null : round(baseline),
    peakVsBaseline: baseline ? round(peak / baseline) : null,
    minOffered: round(minOffered),
    peakRatio: ratios.length > 0 ? round(Math.max(...ratios)) : null,
    windowsAbove2x: ratios.filter((r) => r > 2).length,
    series,
  };
}
