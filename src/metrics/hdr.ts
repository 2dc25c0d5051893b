/**
 * HdrHistogram use in one place: how histograms are built (3 significant digits, auto-resizing,
 * 64-bit counts, plain JS — no WebAssembly, so results never depend on the runtime's WASM support),
 * encoded (compressed base64, readable by every HdrHistogram implementation), decoded, merged and
 * summarised. Latency histograms hold microseconds; summaries report milliseconds.
 */
import * as hdr from 'hdr-histogram-js';
import type { CensoredSummary, Summary } from '../report/types.js';

export type Histogram = hdr.Histogram;

export function newHistogram(): Histogram {
  return hdr.build({
    bitBucketSize: 64,
    autoResize: true,
    lowestDiscernibleValue: 1,
    highestTrackableValue: 2,
    numberOfSignificantValueDigits: 3,
    useWebAssembly: false,
  });
}

export function encode(h: Histogram): string {
  h.startTimeStampMsec = 0;
  h.endTimeStampMsec = 0;
  return hdr.encodeIntoCompressedBase64(h);
}

/** Decodes a histogram for reading; add it into a `newHistogram()` before recording into it. */
export function decode(base64: string): Histogram {
  return hdr.decodeFromCompressedBase64(base64, 64, false);
}

/** Adds `from` into `into` (exact: counts add). */
export function addInto(into: Histogram, from: Histogram): void {
  into.add(from);
}

const EMPTY: Summary = { count: 0, mean: 0, p50: 0, p90: 0, p95: 0, p99: 0, p999: 0, max: 0 };

/** The JsHistogram internals a one-pass summary reads (public in the JS class, not in its interface). */
interface Indexed {
  countsArrayLength: number;
  unitMagnitude: number;
  subBucketHalfCountMagnitude: number;
  getCountAtIndex(i: number): number;
  valueFromIndex(i: number): number;
  highestEquivalentValue(v: number): number;
  medianEquivalentValue(v: number): number;
  /** TypedArrayHistogram's counts (every histogram of `newHistogram` and `decode`: 64-bit, plain JS). */
  _counts?: Float64Array;
}

/**
 * Per counts index, the two values a summary reads of its bucket: the median equivalent value (the
 * mean's weight) and the highest equivalent value (a percentile). Every histogram here has one
 * layout (unit 1, 3 significant digits), so index i means the same bucket in all of them; the
 * tables are filled by HdrHistogram's own methods, once per process, and grow with the widest
 * histogram read. A summary then walks a typed array instead of calling three methods per bucket,
 * each with its log2 and pow (a tenth of a report's build).
 */
const tables = { median: new Float64Array(0), highest: new Float64Array(0) };
const STANDARD = { unitMagnitude: 0, subBucketHalfCountMagnitude: 10 };

/** The counts of `h` and the bucket tables for them, or undefined for a histogram of another layout. */
function raw(h: Histogram): { counts: Float64Array; length: number; median: Float64Array; highest: Float64Array } | undefined {
  const x = h as unknown as Indexed;
  const counts = x._counts;
  if (!(counts instanceof Float64Array) || x.unitMagnitude !== STANDARD.unitMagnitude || x.subBucketHalfCountMagnitude !== STANDARD.subBucketHalfCountMagnitude) return undefined;
  const length = Math.min(x.countsArrayLength, counts.length);
  if (tables.median.length < length) {
    const median = new Float64Array(length);
    const highest = new Float64Array(length);
    for (let i = 0; i < length; i++) {
      const v = x.valueFromIndex(i);
      median[i] = x.medianEquivalentValue(v);
      highest[i] = x.highestEquivalentValue(v);
    }
    tables.median = median;
    tables.highest = highest;
  }
  return { counts, length, median: tables.median, highest: tables.highest };
}

const SUMMARY_PERCENTILES = [50, 90, 95, 99, 99.9];

/** HdrHistogram's count at a percentile: the fp count rounded up without its one-ulp error, at least 1. */
function countAt(percentile: number, total: number): number {
  const fp = (percentile / 100) * total;
  const ulp = Math.pow(2, Math.floor(Math.log2(fp)) - 52);
  return Math.max(Math.ceil(fp - ulp), 1);
}

/**
 * One walk over the counts: the sum of median equivalent values times counts (in index order, as
 * HdrHistogram's mean adds them) and, for each of the ascending `ranks`, the highest equivalent
 * value of the bucket that holds that sample (0 past the count, as HdrHistogram gives).
 */
function walk(h: Histogram, ranks: readonly number[]): { total: number; values: number[] } {
  const values = ranks.map(() => 0);
  let next = 0;
  let cumulative = 0;
  let total = 0;
  const r = raw(h);
  if (r) {
    const { counts, length, median, highest } = r;
    // The counts add up to the total count, so past the sample that reaches it every count is 0.
    const all = h.totalCount;
    for (let i = 0; i < length && cumulative < all; i++) {
      const c = counts[i];
      if (c === 0) continue;
      cumulative += c;
      total += median[i] * c;
      while (next < ranks.length && cumulative >= ranks[next]) values[next++] = highest[i];
    }
    return { total, values };
  }
  const x = h as unknown as Indexed;
  for (let i = 0; i < x.countsArrayLength; i++) {
    const c = x.getCountAtIndex(i);
    if (c === 0) continue;
    cumulative += c;
    const v = x.valueFromIndex(i);
    total += x.medianEquivalentValue(v) * c;
    while (next < ranks.length && cumulative >= ranks[next]) values[next++] = x.highestEquivalentValue(v);
  }
  return { total, values };
}

/**
 * Percentile summary; `scale` converts stored units to reported ones (1e-3: µs → ms). One pass over
 * the counts gives exactly what `getValueAtPercentile` and `mean` give (each of which walks the
 * counts again); test/metrics/hdr.test.ts checks the equality.
 */
export function summarize(h: Histogram, scale = 1e-3): Summary {
  const count = h.totalCount;
  if (count === 0) return { ...EMPTY };
  const { total, values } = walk(
    h,
    SUMMARY_PERCENTILES.map((p) => countAt(p, count)),
  );
  const r = (v: number) => round(v * scale);
  return {
    count,
    mean: r(total / count),
    p50: r(values[0]),
    p90: r(values[1]),
    p95: r(values[2]),
    p99: r(values[3]),
    p999: r(values[4]),
    max: r(h.maxValue),
  };
}

/**
 * The value at rank `k` (1-based, in recorded order) of `h`, as HdrHistogram reports a percentile:
 * the highest value equivalent to the bucket that holds the k-th sample. Undefined past the count.
 */
export function valueAtRank(h: Histogram, k: number): number | undefined {
  if (k > h.totalCount || k < 1) return undefined;
  return walk(h, [k]).values[0];
}

/**
 * A percentile of a censored population: the `completed` samples plus `failed` ones that never
 * finished, counted at +∞. Over n = completed + failed the percentile's rank is HdrHistogram's own
 * (⌈p/100 · n⌉, at least 1); past the completed samples it is censored (null): more than
 * (100 − p) % of the population never finished. With failed = 0 it is `getValueAtPercentile(p)`.
 */
export function censoredPercentile(completed: Histogram, failed: number, percentile: number): number | null {
  const n = completed.totalCount + failed;
  if (n === 0) return null;
  return valueAtRank(completed, countAt(Math.min(percentile, 100), n)) ?? null;
}

/**
 * Summary of a censored population (docs/reports.md "Populations"): every percentile past the
 * completed samples is null, and so are the mean and the max as soon as one sample failed (they
 * are +∞). `count` is the whole population, `failed` the censored part. One walk serves the
 * completed samples' mean and every censored rank.
 */
export function summarizeCensored(completed: Histogram, failed: number, scale = 1e-3): CensoredSummary {
  const done = completed.totalCount;
  const count = done + failed;
  const ranks = count === 0 ? [] : SUMMARY_PERCENTILES.map((p) => countAt(Math.min(p, 100), count));
  // Ranks past the completed samples are censored; the walk only looks for the others.
  const within = ranks.filter((k) => k <= done);
  const { total, values } = walk(completed, within);
  const at = (i: number) => (i < within.length ? round(values[i] * scale) : null);
  const whole = failed === 0 && count > 0;
  return {
    count,
    failed,
    mean: whole ? round((total / done) * scale) : null,
    p50: at(0),
    p90: at(1),
    p95: at(2),
    p99: at(3),
    p999: at(4),
    max: whole ? round(completed.maxValue * scale) : null,
  };
}

/** Rounds to 6 significant digits: reports stay readable and byte-stable. */
export function round(v: number): number {
  if (v === 0 || !Number.isFinite(v)) return v;
  return Number(v.toPrecision(6));
}
