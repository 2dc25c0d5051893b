import { describe, expect, it } from 'vitest';
import { empirical, exponential, lognormalFromQuantiles, mixture, constant, pareto, truncatedNormal, uniform } from '../../src/model/distribution.js';
import { normalCdf, normalQuantile } from '../../src/model/normal.js';
import { keyedUniform } from '../../src/kernel/rng.js';

function draws(s: { sample(u: number): number }, n: number): Float64Array {
  const xs = new Float64Array(n);
  for (let i = 0; i < n; i++) xs[i] = s.sample(keyedUniform(3, i, 0, 0, 1));
  return xs.sort();
}
const quantile = (xs: Float64Array, p: number) => xs[Math.floor(p * (xs.length - 1))];

describe('normal', () => {
  it('inverts its CDF to 1e-6', () => {
    for (const p of [1e-6, 0.001, 0.02, 0.3, 0.5, 0.77, 0.99, 0.999999]) expect(normalCdf(normalQuantile(p))).toBeCloseTo(p, 6);
  });

  it("gives the same bits as Acklam's published form, in both tails and at the branch edges", () => {
    // The textbook layout (coefficient arrays, three branches). Every lognormal draw goes through
    // normalQuantile, so a rewrite for speed that changed one bit would change every report.
    const a = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239];
    const b = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
    const c = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
    const d = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
    const textbook = (p: number): number => {
      if (p < 0.02425) {
        const q = Math.sqrt(-2 * Math.log(p));
        return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
      }
      if (p <= 1 - 0.02425) {
        const q = p - 0.5;
        const r = q * q;
        return ((((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q) / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
      }
      const q = Math.sqrt(-2 * Math.log(1 - p));
      return -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
    };
    const ps = [1e-300, 1e-12, 0.02425, 0.024249999999999997, 0.5, 1 - 0.02425, 0.9757500000000001, 1 - 1e-12];
    for (let i = 0; i < 20_000; i++) ps.push(keyedUniform(11, i, 0, 0, 1));
    for (let i = 0; i < 2_000; i++) ps.push(0.05 * keyedUniform(12, i, 0, 0, 1), 1 - 0.05 * keyedUniform(13, i, 0, 0, 1));
    let tails = 0;
    for (const p of ps) {
      if (p < 0.02425 || p > 1 - 0.02425) tails++;
      expect(Object.is(normalQuantile(p), textbook(p)), `p = ${p}`).toBe(true);
    }
    expect(tails).toBeGreaterThan(2_000);
  });
});

describe('lognormalFromQuantiles', () => {
  it('reproduces both its median and its p99 exactly as quantiles', () => {
    const s = lognormalFromQuantiles(180, 900);
    expect(s.sample(0.5)).toBeCloseTo(180, 6);
    expect(s.sample(0.99)).toBeCloseTo(900, 4);
  });

  it('reproduces them in sampled data within 2% (n = 200,000)', () => {
    const xs = draws(lognormalFromQuantiles(30, 200), 200_000);
    expect(quantile(xs, 0.5) / 30).toBeGreaterThan(0.98);
    expect(quantile(xs, 0.5) / 30).toBeLessThan(1.02);
    expect(quantile(xs, 0.99) / 200).toBeGreaterThan(0.98);
    expect(quantile(xs, 0.99) / 200).toBeLessThan(1.02);
  });
});

describe('samplers', () => {
  it('match their closed-form means within 1% (n = 200,000)', () => {
    const cases = [exponential(50), uniform(10, 30), truncatedNormal(150, 30), lognormalFromQuantiles(40, 400), pareto(10, 3), mixture([{ weight: 0.9, of: constant(5) }, { weight: 0.1, of: exponential(100) }])];
    for (const s of cases) {
      const xs = draws(s, 200_000);
      const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
      expect(Math.abs(mean / s.mean - 1)).toBeLessThan(0.01);
    }
  });

  it('truncates the normal at zero', () => {
    const s = truncatedNormal(10, 30);
    expect(s.sample(0)).toBeGreaterThanOrEqual(0);
    expect(s.sample(1e-9)).toBeGreaterThanOrEqual(0);
  });

  it('interpolates empirical samples between order statistics', () => {
    const s = empirical([30, 10, 20]);
    expect(s.sample(0)).toBe(10);
    expect(s.sample(0.5)).toBe(20);
    expect(s.sample(0.75)).toBe(25);
  });

  it('picks mixture components by weight', () => {
    const s = mixture([{ weight: 0.999, of: constant(1) }, { weight: 0.001, of: constant(1000) }]);
    expect(s.sample(0.5)).toBe(1);
    expect(s.sample(0.9995)).toBe(1000);
  });
});

describe('Sampler.fixed', () => {
  it('is the value of a sampler that ignores its uniform, and absent where draws vary', () => {
    for (const s of [constant(7), truncatedNormal(7, 0), empirical([7])]) {
      expect(s.fixed).toBe(7);
      expect(s.sample(0.123)).toBe(7);
    }
    for (const s of [uniform(0, 1), exponential(3), truncatedNormal(7, 1), empirical([1, 2]), pareto(1, 2), mixture([{ weight: 1, of: constant(7) }])]) expect(s.fixed).toBeUndefined();
  });
});
