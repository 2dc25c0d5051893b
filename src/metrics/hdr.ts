/**
 * HdrHistogram use in one place: how histograms are built (3 significant digits, auto-resizing,
 * 64-bit counts, plain JS — no WebAssembly, so results never depend on the runtime's WASM support),
 * encoded (compressed base64, readable by every HdrHistogram implementation), decoded, merged and
 * summarised. Latency histograms hold microseconds; summaries report milliseconds.
 */
import * as hdr from 'hdr-histogram-js';
import type { Summary } from '../report/types.js';

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

/** Percentile summary; `scale` converts stored units to reported ones (1e-3: µs → ms). */
export function summarize(h: Histogram, scale = 1e-3): Summary {
  const count = h.totalCount;
  if (count === 0) return { ...EMPTY };
  const r = (v: number) => round(v * scale);
  return {
    count,
    mean: r(h.mean),
    p50: r(h.getValueAtPercentile(50)),
    p90: r(h.getValueAtPercentile(90)),
    p95: r(h.getValueAtPercentile(95)),
    p99: r(h.getValueAtPercentile(99)),
    p999: r(h.getValueAtPercentile(99.9)),
    max: r(h.maxValue),
  };
}

/** Rounds to 6 significant digits: reports stay readable and byte-stable. */
export function round(v: number): number {
  if (v === 0 || !Number.isFinite(v)) return v;
  return Number(v.toPrecision(6));
}
