/**
 * Backoff and jitter against the AWS Architecture Blog's formulas ("Exponential Backoff And
 * Jitter"): bounds hold for every draw (property), means match the closed forms over keyed draws.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { keyedUniform, Purpose } from '../../src/kernel/rng.js';
import { backoffDelay, baseDelay } from '../../src/policy/backoff.js';
import { DEFAULT_BACKOFF, type BackoffSpec, type Jitter } from '../../src/policy/types.js';

const spec = (o: Partial<BackoffSpec>): BackoffSpec => ({ ...DEFAULT_BACKOFF, kind: 'exponential', base: 100, max: 10_000, factor: 2, ...o });

describe('baseDelay', () => {
  it('grows constant, linear and exponential, capped at max', () => {
    expect([1, 2, 3].map((r) => baseDelay(spec({ kind: 'constant' }), r))).toEqual([100, 100, 100]);
    expect([1, 2, 3].map((r) => baseDelay(spec({ kind: 'linear' }), r))).toEqual([100, 200, 300]);
    expect([1, 2, 3, 4].map((r) => baseDelay(spec({ kind: 'exponential', max: 500 }), r))).toEqual([100, 200, 400, 500]);
  });
});

describe('backoffDelay', () => {
  const n = 100_000;
  const draws = Array.from({ length: n }, (_, i) => keyedUniform(5, i, 0, 0, Purpose.jitter));
  const mean = (jitter: Jitter, retry: number) => draws.reduce((s, u) => s + backoffDelay(spec({ jitter }), retry, 0, u), 0) / n;

  it('has full-jitter mean d/2 and equal-jitter mean 3d/4', () => {
    const d = baseDelay(spec({}), 3); // 400
    // A uniform on [0, d] has sd d/√12; the mean of n draws has sd d/√(12n) ≈ 0.0009 d. Allow 4 SE.
    const tol = (4 * d) / Math.sqrt(12 * n);
    expect(Math.abs(mean('full', 3) - d / 2)).toBeLessThan(tol);
    expect(Math.abs(mean('equal', 3) - (3 * d) / 4)).toBeLessThan(tol / 2);
    expect(mean('none', 3)).toBe(d);
  });

  it('keeps full jitter in [0, d], equal jitter in [d/2, d], decorrelated in [base, min(max, 3·prev)]', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 12 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        fc.integer({ min: 1, max: 1000 }),
        fc.integer({ min: 1, max: 100_000 }),
        fc.double({ min: 0, max: 50_000, noNaN: true }),
        (retry, u, base, max, prev) => {
          const s = spec({ base, max: Math.max(base, max) });
          const d = baseDelay(s, retry);
          const full = backoffDelay({ ...s, jitter: 'full' }, retry, prev, u);
          expect(full).toBeGreaterThanOrEqual(0);
          expect(full).toBeLessThanOrEqual(d);
          const equal = backoffDelay({ ...s, jitter: 'equal' }, retry, prev, u);
          expect(equal).toBeGreaterThanOrEqual(d / 2);
          expect(equal).toBeLessThanOrEqual(d);
          const p = retry <= 1 ? base : Math.max(prev, base);
          const dec = backoffDelay({ ...s, jitter: 'decorrelated' }, retry, p, u);
          expect(dec).toBeGreaterThanOrEqual(Math.min(s.max, base));
          expect(dec).toBeLessThanOrEqual(Math.min(s.max, 3 * p) + 1e-9);
        },
      ),
      { seed: 42, numRuns: 2000 },
    );
  });

  it('draws decorrelated jitter with mean base + (3·prev − base)/2 before the cap', () => {
    const prev = 300;
    const m = draws.reduce((s, u) => s + backoffDelay(spec({ jitter: 'decorrelated' }), 2, prev, u), 0) / n;
    const width = 3 * prev - 100;
    expect(Math.abs(m - (100 + width / 2))).toBeLessThan((4 * width) / Math.sqrt(12 * n));
  });
});
