import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { FastHistogram } from '../../src/metrics/fast-histogram.js';
import { encode, newHistogram, summarize, type Histogram } from '../../src/metrics/hdr.js';

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

  it('adds into an HdrHistogram exactly as recording every bucket at its lowest value does (extremes as themselves)', () => {
    /** The reference: the extremes recorded as themselves, then each bucket's rest recorded at the bucket's lowest value. */
    function byRecording(values: number[], into: Histogram): Histogram {
      const min = Math.min(...values.filter((v) => v > 0));
      const max = Math.max(...values);
      const rest = [...values];
      rest.splice(rest.indexOf(max), 1);
      into.recordValue(max);
      if (Number.isFinite(min) && min !== max) {
        rest.splice(rest.indexOf(min), 1);
        into.recordValue(min);
      }
      const lowest = newHistogram() as unknown as { lowestEquivalentValue(v: number): number };
      for (const v of rest) into.recordValue(lowest.lowestEquivalentValue(v));
      return into;
    }
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 5000 }), fc.integer({ min: 0, max: 2 ** 31 }), fc.integer({ min: 2 ** 32, max: 2 ** 40 })), { minLength: 1, maxLength: 300 }),
        fc.array(fc.integer({ min: 0, max: 2 ** 30 }), { maxLength: 20 }),
        (values, before) => {
          const fast = new FastHistogram();
          for (const v of values) fast.recordValue(v);
          const a = newHistogram();
          const b = newHistogram();
          // Into a histogram that already holds values, as a merge does.
          for (const v of before) {
            a.recordValue(v);
            b.recordValue(v);
          }
          fast.addTo(a);
          byRecording(values, b);
          expect(a.totalCount).toBe(b.totalCount);
          expect(a.maxValue).toBe(b.maxValue);
          expect(a.minNonZeroValue).toBe(b.minNonZeroValue);
          expect(encode(a)).toBe(encode(b));
        },
      ),
      {
        seed: 13,
        numRuns: 200,
        // A min whose bucket is wider than 1 and holds more than the min: its rest lowers the min,
        // after a zero and without one.
        examples: [
          [[0, 3001, 3001, 5000], []],
          [[3001, 3001, 9000], [7]],
          [[0, 0, 2 ** 33 + 5, 2 ** 33 + 7, 2 ** 35], []],
        ],
      },
    );
  });
  it('adds another front-end exactly as recording its values does, whatever the two ranges', () => {
    const values = fc.array(fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 5000 }), fc.integer({ min: 0, max: 2 ** 31 }), fc.integer({ min: 2 ** 32, max: 2 ** 40 })), { maxLength: 200 });
    fc.assert(
      fc.property(values, values, (xs, ys) => {
        const a = new FastHistogram();
        const b = new FastHistogram();
        const all = new FastHistogram();
        for (const v of xs) a.recordValue(v);
        for (const v of ys) b.recordValue(v);
        for (const v of [...xs, ...ys]) all.recordValue(v);
        a.add(b);
        expect(a.totalCount).toBe(all.totalCount);
        expect(encode(a.toHdr())).toBe(encode(all.toHdr()));
      }),
      // The added histogram reaching past this one's arrays (they grow), and an empty one either side.
      { seed: 17, numRuns: 200, examples: [[[3], [2 ** 35]], [[], [7, 2 ** 20]], [[2 ** 30], []], [[], []]] },
    );
  });
});
