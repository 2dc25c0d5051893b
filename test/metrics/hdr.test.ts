import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { FastHistogram } from '../../src/metrics/fast-histogram.js';
import * as hdr from 'hdr-histogram-js';
import { decode, encode, round, summarize, summarizeCensored, valueAtRank, type Histogram } from '../../src/metrics/hdr.js';

describe('summarize', () => {
  it('gives exactly what HdrHistogram’s own percentile and mean walks give', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.integer({ min: 0, max: 3000 }), fc.integer({ min: 0, max: 2 ** 34 })), { minLength: 1, maxLength: 500 }), (values) => {
        const f = new FastHistogram();
        for (const v of values) f.recordValue(v);
        for (const h of [f.toHdr(), decode(encode(f.toHdr()))]) {
          const s = summarize(h, 1);
          expect(s.count).toBe(values.length);
          expect(s.mean).toBe(round(h.mean));
          expect([s.p50, s.p90, s.p95, s.p99, s.p999]).toEqual([50, 90, 95, 99, 99.9].map((p) => round(h.getValueAtPercentile(p))));
          expect(s.max).toBe(round(h.maxValue));
        }
      }),
      { seed: 23, numRuns: 200 },
    );
  });
});

/** The censored percentile by HdrHistogram's own walk: the highest equivalent value of the bucket holding rank ⌈p/100 · n⌉ over n = completed + failed, null past the completed samples. */
function censoredByWalk(h: Histogram, failed: number, p: number): number | null {
  const n = h.totalCount + failed;
  const x = h as unknown as { countsArrayLength: number; getCountAtIndex(i: number): number; valueFromIndex(i: number): number; highestEquivalentValue(v: number): number };
  const fp = (p / 100) * n;
  const k = Math.max(Math.ceil(fp - Math.pow(2, Math.floor(Math.log2(fp)) - 52)), 1);
  let cumulative = 0;
  for (let i = 0; i < x.countsArrayLength; i++) {
    cumulative += x.getCountAtIndex(i);
    if (cumulative >= k) return x.highestEquivalentValue(x.valueFromIndex(i));
  }
  return null;
}

describe('summarizeCensored', () => {
  it('gives each percentile of the censored population by HdrHistogram’s walk, and the mean and max only when none failed', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.integer({ min: 0, max: 3000 }), fc.integer({ min: 0, max: 2 ** 34 })), { maxLength: 300 }),
        fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 400 })),
        (values, failed) => {
          const f = new FastHistogram();
          for (const v of values) f.recordValue(v);
          const h = decode(encode(f.toHdr()));
          const s = summarizeCensored(h, failed, 1);
          expect(s.count).toBe(values.length + failed);
          expect(s.failed).toBe(failed);
          const expected = values.length + failed === 0 ? [null, null, null, null, null] : [50, 90, 95, 99, 99.9].map((p) => {
            const v = censoredByWalk(h, failed, p);
            return v === null ? null : round(v);
          });
          expect([s.p50, s.p90, s.p95, s.p99, s.p999]).toEqual(expected);
          expect(s.mean).toBe(failed === 0 && values.length > 0 ? round(h.mean) : null);
          expect(s.max).toBe(failed === 0 && values.length > 0 ? round(h.maxValue) : null);
        },
      ),
      { seed: 29, numRuns: 300 },
    );
  });
});

describe('summaries of another layout', () => {
  it('fall back to HdrHistogram’s own methods (no shared bucket table) and still agree with its walks', () => {
    const h = hdr.build({ bitBucketSize: 64, autoResize: true, lowestDiscernibleValue: 1, highestTrackableValue: 2, numberOfSignificantValueDigits: 2, useWebAssembly: false });
    for (let v = 1; v < 5e6; v = Math.ceil(v * 1.37)) h.recordValueWithCount(v, (v % 7) + 1);
    const s = summarize(h, 1);
    expect([s.p50, s.p90, s.p95, s.p99, s.p999]).toEqual([50, 90, 95, 99, 99.9].map((p) => round(h.getValueAtPercentile(p))));
    expect(s.mean).toBe(round(h.mean));
    expect(valueAtRank(h, 1)).toBe(h.getValueAtPercentile(0.0001));
  });
});
