import type { BenchResult } from '../report/bench-file.js';

/** The median of a sample (the mean of the middle two for an even count); NaN for none. */
export function median(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/** A few whole-process samples as a result: their median, count and range. */
export function sampled(xs: readonly number[], unit: string): BenchResult {
  return { median: median(xs), unit, samples: xs.length, min: Math.min(...xs), max: Math.max(...xs) };
}
