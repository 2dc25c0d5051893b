import { describe, expect, it } from 'vitest';
import { keyedUniform, keyPrefix } from '../../src/kernel/rng.js';
import { attemptUniform, correlatedUniform } from '../../src/model/correlation.js';
import { normalQuantile } from '../../src/model/normal.js';

const N = 100_000;

/** Pairs (first attempt, later attempt) of correlated uniforms at ρ. */
function pairs(rho: number): [Float64Array, Float64Array] {
  const first = new Float64Array(N);
  const later = new Float64Array(N);
  for (let i = 0; i < N; i++) {
    first[i] = keyedUniform(5, i, 0, 0, 4);
    later[i] = correlatedUniform(first[i], keyedUniform(5, i, 0, 1, 4), rho);
  }
  return [first, later];
}

function pearson(x: Float64Array, y: Float64Array): number {
  let mx = 0;
  let my = 0;
  for (let i = 0; i < x.length; i++) {
    mx += x[i];
    my += y[i];
  }
  mx /= x.length;
  my /= y.length;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < x.length; i++) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) ** 2;
    syy += (y[i] - my) ** 2;
  }
  return sxy / Math.sqrt(sxx * syy);
}

describe('correlatedUniform', () => {
  it('is the fresh draw at ρ = 0 and the first draw at ρ = 1', () => {
    for (const [u0, u] of [[0.1, 0.9], [0.999, 0.001], [0.5, 0.25]]) {
      expect(correlatedUniform(u0, u, 0)).toBe(u);
      expect(correlatedUniform(u0, u, 1)).toBe(u0);
    }
  });

  it('keeps the later attempt uniform (Kolmogorov–Smirnov distance below 1.63/√n, the 1 % critical value)', () => {
    for (const rho of [0.3, 0.7, 0.95]) {
      const later = pairs(rho)[1].sort();
      let d = 0;
      for (let i = 0; i < N; i++) d = Math.max(d, Math.abs(later[i] - i / N), Math.abs(later[i] - (i + 1) / N));
      expect(d).toBeLessThan(1.63 / Math.sqrt(N));
      expect(later[N - 1]).toBeLessThan(1);
    }
  });

  it('correlates the Gaussian scores of first and later attempt by ρ (within 4 standard errors, (1 − ρ²)/√n)', () => {
    for (const rho of [0.25, 0.5, 0.9]) {
      const [first, later] = pairs(rho);
      const r = pearson(first.map(normalQuantile), later.map(normalQuantile));
      expect(Math.abs(r - rho)).toBeLessThan((4 * (1 - rho * rho)) / Math.sqrt(N));
    }
  });
});

describe('attemptUniform', () => {
  it('never changes attempt 0, whatever ρ, so first attempts are identical across correlation settings', () => {
    for (let w = 0; w < 50; w++) {
      const key = keyPrefix(9, w, 3, 0);
      expect(attemptUniform(key, key, 0, 4, 0.8)).toBe(keyedUniform(9, w, 3, 0, 4));
    }
  });

  it('draws a later attempt afresh at ρ = 0 and repeats attempt 0 at ρ = 1', () => {
    const key0 = keyPrefix(9, 1, 3, 0);
    const key2 = keyPrefix(9, 1, 3, 2);
    expect(attemptUniform(key2, key0, 2, 4, 0)).toBe(keyedUniform(9, 1, 3, 2, 4));
    expect(attemptUniform(key2, key0, 2, 4, 1)).toBe(keyedUniform(9, 1, 3, 0, 4));
  });
});
