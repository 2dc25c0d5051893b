import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { RateProfile } from '../../src/model/rate.js';

describe('RateProfile', () => {
  it('inverts its cumulative rate', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 1, max: 60_000 }), fc.double({ min: 0.1, max: 50, noNaN: true })), { minLength: 1, maxLength: 6 }), fc.double({ min: 0, max: 1, noNaN: true }), (steps, frac) => {
        let t = 0;
        const points: [number, number][] = steps.map(([dt, r]) => [(t += dt), r]);
        const p = new RateProfile(points);
        const end = points[points.length - 1][0] * 1.5;
        const L = p.cumulative(end) * frac;
        expect(p.cumulative(p.inverse(L))).toBeCloseTo(L, 6);
      }),
      { seed: 5, numRuns: 300 },
    );
  });

  it('integrates a linear ramp to its trapezoid', () => {
    const p = new RateProfile([
      [0, 0],
      [60_000, 10],
    ]);
    expect(p.cumulative(60_000)).toBeCloseTo(300, 9); // ½ · 60 s · 10/s
    expect(p.rateAt(30_000)).toBeCloseTo(5, 9);
    expect(p.cumulative(120_000)).toBeCloseTo(900, 9);
  });
});
