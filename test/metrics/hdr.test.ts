import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { FastHistogram } from '../../src/metrics/fast-histogram.js';
import { decode, encode, round, summarize } from '../../src/metrics/hdr.js';

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
