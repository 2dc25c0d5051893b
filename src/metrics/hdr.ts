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
  getCountAtIndex(i: number): number;
  valueFromIndex(i: number): number;
  highestEquivalentValue(v: number): number;
  medianEquivalentValue(v: number): number;
}

const SUMMARY_PERCENTILES = [50, 90, 95, 99, 99.9];

/** HdrHistogram's count at a percentile: the fp count rounded up without its one-ulp error, at least 1. */
function countAt(percentile: number, total: number): number {
  const fp = (percentile / 100) * total;
  const ulp = Math.pow(2, Math.floor(Math.log2(fp)) - 52);
  return Math.max(Math.ceil(fp - ulp), 1);
}

/**
 * Percentile summary; `scale` converts stored units to reported ones (1e-3: µs → ms). One pass over
 * the counts gives exactly what `getValueAtPercentile` and `mean` give (each of which walks the
 * counts again); test/metrics/hdr.test.ts checks the equality.
 */
export function summarize(h: Histogram, scale = 1e-3): Summary {
  const count = h.totalCount;
  if (count === 0) return { ...EMPTY };
  const x = h as unknown as Indexed;
  const targets = SUMMARY_PERCENTILES.map((p) => countAt(p, count));
  const values = SUMMARY_PERCENTILES.map(() => 0);
  let next = 0;
  let cumulative = 0;
  let total = 0;
  for (let i = 0; i < x.countsArrayLength; i++) {
    const c = x.getCountAtIndex(i);
    if (c === 0) continue;
    cumulative += c;
    const v = x.valueFromIndex(i);
    total += x.medianEquivalentValue(v) * c;
    while (next < targets.length && cumulative >= targets[next]) values[next++] = x.highestEquivalentValue(v);
  }
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
  const x = h as unknown as Indexed;
  let cumulative = 0;
  for (let i = 0; i < x.countsArrayLength; i++) {
    cumulative += x.getCountAtIndex(i);
    if (cumulative >= k) return x.highestEquivalentValue(x.valueFromIndex(i));
  }
  return undefined;
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
 * are +∞). `count` is the whole population, `failed` the censored part.
 */
export function summarizeCensored(completed: Histogram, failed: number, scale = 1e-3): CensoredSummary {
  const base = summarize(completed, scale);
  const count = completed.totalCount + failed;
  const at = (p: number) => {
    const v = censoredPercentile(completed, failed, p);
    return v === null ? null : round(v * scale);
  };
  return {
    count,
    failed,
    mean: failed === 0 && count > 0 ? base.mean : null,
    p50: at(50),
    p90: at(90),
    p95: at(95),
    p99: at(99),
    p999: at(99.9),
    max: failed === 0 && count > 0 ? base.max : null,
  };
}

/** Rounds to 6 significant digits: reports stay readable and byte-stable. */
export function round(v: number): number {
  if (v === 0 || !Number.isFinite(v)) return v;
  return Number(v.toPrecision(6));
}
