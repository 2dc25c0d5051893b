/**
 * Confidence intervals from replications. Each replication is an independent world (its own
 * seed), so a figure's per-replication values are independent draws of that figure; their mean
 * with Student's t gives a 95 % interval (the method of independent replications, Law & Kelton
 * ch. 9). Policies in one replication share every random draw (common random numbers), so the
 * difference of two policies' values in the same replication cancels most of the seed's noise:
 * the interval of the paired differences is far narrower than the two intervals side by side,
 * and it is the one that says whether one policy is better. test/report/stats.test.ts checks the
 * interval's coverage against distributions with known means.
 */
import type { Interval, PairedDifference } from './types.js';

/** Two-sided 95 % quantiles of Student's t, t(0.975, df) for df = 1 … 30 (Abramowitz & Stegun table 26.10). */
const T975 = [
  12.7062, 4.3027, 3.1824, 2.7764, 2.5706, 2.4469, 2.3646, 2.306, 2.2622, 2.2281, 2.201, 2.1788, 2.1604, 2.1448, 2.1314, 2.1199, 2.1098,
  2.1009, 2.093, 2.086, 2.0796, 2.0739, 2.0687, 2.0639, 2.0595, 2.0555, 2.0518, 2.0484, 2.0452, 2.0423,
];

/** z(0.975). */
const Z975 = 1.959964;

/**
 * t(0.975, df). Past the table, the Cornish–Fisher expansion in 1/df (A&S 26.7.5), which is
 * within 1e-4 of the exact quantile from df = 30 on.
 */
export function t975(df: number): number {
  if (!(df >= 1)) throw new RangeError(`degrees of freedom must be ≥ 1, got ${df}`);
  if (Number.isInteger(df) && df <= T975.length) return T975[df - 1];
  const z = Z975;
  const g1 = (z ** 3 + z) / 4;
  const g2 = (5 * z ** 5 + 16 * z ** 3 + 3 * z) / 96;
  const g3 = (3 * z ** 7 + 19 * z ** 5 + 17 * z ** 3 - 15 * z) / 384;
  return z + g1 / df + g2 / df ** 2 + g3 / df ** 3;
}

/** The 95 % t-interval of the mean of `values`; null with fewer than two values or any missing one. */
export function meanInterval(values: readonly (number | null)[]): Interval | null {
  if (values.length < 2 || values.some((v) => v === null || !Number.isFinite(v))) return null;
  const xs = values as number[];
  const n = xs.length;
  const mean = xs.reduce((a, b) => a + b, 0) / n;
  const variance = xs.reduce((a, x) => a + (x - mean) ** 2, 0) / (n - 1);
  const halfWidth = t975(n - 1) * Math.sqrt(variance / n);
  return { n, mean: round(mean), halfWidth: round(halfWidth), lo: round(mean - halfWidth), hi: round(mean + halfWidth) };
}

/**
 * The paired difference `b − a` per replication and its 95 % interval; null when the two lists
 * differ in length, hold fewer than two pairs, or miss a value.
 */
export function pairedDifference(a: readonly (number | null)[], b: readonly (number | null)[]): PairedDifference | null {
  if (a.length !== b.length) return null;
  const d = a.map((x, i) => (x === null || b[i] === null ? null : (b[i] as number) - x));
  const ci = meanInterval(d);
  if (!ci) return null;
  // Identical values in every replication (a policy that never differs) give a zero-width
  // interval at 0: not significant.
  const significant = ci.lo > 0 || ci.hi < 0;
  return { ...ci, significant };
}

/** Six significant digits: intervals stay byte-stable and readable. */
function round(v: number): number {
  return v === 0 || !Number.isFinite(v) ? v : Number(v.toPrecision(6));
}
