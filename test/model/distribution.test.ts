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
