import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { FastHistogram } from '../../src/metrics/fast-histogram.js';
import { encode, newHistogram, summarize } from '../../src/metrics/hdr.js';

describe('FastHistogram', () => {
  it('produces exactly the HdrHistogram of the same values', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.integer({ min: 0, max: 5000 }), fc.integer({ min: 0, max: 2 ** 31 }), fc.integer({ min: 2 ** 32, max: 2 ** 40 })), { minLength: 1, maxLength: 400 }),
        (values) => {
          const fast = new FastHistogram();
          const direct = newHistogram();
          for (const v of values) {
            fast.recordValue(v);
            direct.recordValue(v);
          }
          const viaFast = fast.toHdr();
          expect(viaFast.totalCount).toBe(direct.totalCount);
          expect(summarize(viaFast)).toEqual(summarize(direct));
          expect(encode(viaFast)).toBe(encode(direct));
        },
      ),
      { seed: 11, numRuns: 150 },
    );
  });
});
