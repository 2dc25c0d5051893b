/**
 * Reading the report's HdrHistograms back. Every view (thresholds, charts, hdrlog) works from the
 * encoded histograms rather than the summaries, so any percentile is exact to HDR precision and a
 * merged report gives the same figures as an unsharded one.
 *
 * Keys in `PolicyReport.histograms`: a metric name (`workflow`, `call`, … from LATENCY_METRICS;
 * `tokensPerCompletedWorkflow`, `costPerCompletedWorkflowMicros` from VALUE_METRICS), and per tool
 * `call{tool:NAME}` / `attempt{tool:NAME}`. Latency histograms hold µs, cost ones micro-dollars.
 */
import { decodeFromCompressedBase64, type Histogram } from 'hdr-histogram-js';
import type { PolicyReport } from './types.js';

/** The `histograms` key of a metric, optionally for one tool. */
export function histogramKey(metric: string, tool?: string): string {
  return tool === undefined ? metric : `${metric}{tool:${tool}}`;
}

// Decoding is the expensive part, and thresholds, table and charts ask for the same histograms.
const cache = new WeakMap<PolicyReport, Map<string, Histogram | null>>();

/** The decoded histogram for a key, or undefined when the report has none or it is empty. */
export function policyHistogram(policy: PolicyReport, key: string): Histogram | undefined {
  let byKey = cache.get(policy);
  if (!byKey) {
    byKey = new Map();
    cache.set(policy, byKey);
  }
  if (!byKey.has(key)) {
    const encoded = policy.histograms?.[key];
    // 64-bit counts: a long run can pass 2^31 samples in one bucket.
    const h = encoded ? decodeFromCompressedBase64(encoded, 64, false) : null;
    byKey.set(key, h && h.totalCount > 0 ? h : null);
  }
  return byKey.get(key) ?? undefined;
}

/** One point of an empirical CDF: the fraction of samples at or below `value`. */
export interface CdfPoint {
  value: number;
  fraction: number;
}

/** Fractions at which the CDF is sampled: every percent, then the tail a log plot shows. */
const CDF_FRACTIONS: number[] = [
  ...Array.from({ length: 100 }, (_, i) => i / 100),
  0.995, 0.999, 0.9995, 0.9999, 1,
];

/**
 * The CDF of a histogram at fixed fractions, values divided by `scale` (1000: µs → ms). A fixed
 * grid keeps the chart small and its bytes independent of the histogram's bucket layout.
 */
export function cdfPoints(h: Histogram, scale: number): CdfPoint[] {
  const points: CdfPoint[] = [];
  for (const fraction of CDF_FRACTIONS) {
    const value = h.getValueAtPercentile(fraction * 100) / scale;
    if (value > 0) points.push({ value, fraction });
  }
  return points;
}

/** Recorded (value, count) pairs, values divided by `scale`. */
export function recordedValues(h: Histogram, scale: number): { value: number; count: number }[] {
  const out: { value: number; count: number }[] = [];
  // Decoded histograms are JsHistograms (useWebAssembly false), which expose the iterator.
  const it = (h as unknown as { recordedValuesIterator: RecordedIterator }).recordedValuesIterator;
  it.reset();
  while (it.hasNext()) {
    const v = it.next();
    out.push({ value: v.valueIteratedTo / scale, count: v.countAddedInThisIterationStep });
  }
  return out;
}

interface RecordedIterator {
  reset(): void;
  hasNext(): boolean;
  next(): { valueIteratedTo: number; countAddedInThisIterationStep: number };
}

/**
 * Counts per bin `[edges[i], edges[i+1])`, values divided by `scale`; values outside the edges
 * count in the first or last bin, so every sample is shown.
 */
export function binCounts(h: Histogram, edges: number[], scale: number): number[] {
  const counts = new Array<number>(Math.max(0, edges.length - 1)).fill(0);
  if (counts.length === 0) return counts;
  for (const { value, count } of recordedValues(h, scale)) {
    const i = upperBound(edges, value) - 1;
    counts[Math.min(Math.max(i, 0), counts.length - 1)] += count;
  }
  return counts;
}

function upperBound(sorted: number[], x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
