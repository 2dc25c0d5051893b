import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { keyedFinish, keyedUniform, keyPrefix, streamRng } from '../../src/kernel/rng.js';

describe('keyPrefix', () => {
  it('gives a signed 32-bit state that keyedFinish turns into keyedUniform\'s draw', () => {
    const n = fc.nat({ max: 2 ** 40 });
    fc.assert(
      fc.property(n, n, n, n, fc.nat({ max: 2000 }), (seed, a, b, c, d) => {
        const p = keyPrefix(seed, a, b, c);
        expect(p | 0).toBe(p);
        expect(keyedFinish(p, d)).toBe(keyedUniform(seed, a, b, c, d));
        // The draw reads only the state's bits: the unsigned form of the same state draws the same.
        expect(keyedFinish(p >>> 0, d)).toBe(keyedFinish(p, d));
      }),
      { seed: 11, numRuns: 500 },
    );
  });
});

describe('keyedUniform', () => {
  it('depends only on its arguments', () => {
    expect(keyedUniform(42, 1, 2, 3, 4)).toBe(keyedUniform(42, 1, 2, 3, 4));
    expect(keyedUniform(42, 1, 2, 3, 4)).not.toBe(keyedUniform(43, 1, 2, 3, 4));
    expect(keyedUniform(42, 1, 2, 3, 4)).not.toBe(keyedUniform(42, 1, 2, 4, 3));
  });

  it('is uniform on [0, 1): chi-square over 20 bins within the 99.9% critical value', () => {
    const bins = new Array(20).fill(0);
    const n = 200_000;
    for (let i = 0; i < n; i++) {
      const u = keyedUniform(7, i % 1000, Math.floor(i / 1000), 0, 4);
      expect(u >= 0 && u < 1).toBe(true);
      bins[Math.floor(u * 20)]++;
    }
    const e = n / 20;
    const chi2 = bins.reduce((s, o) => s + ((o - e) * (o - e)) / e, 0);
    expect(chi2).toBeLessThan(43.82); // χ²(19) at p = 0.001
  });

  it('has no correlation between neighbouring keys', () => {
    const n = 50_000;
    let sxy = 0;
    for (let i = 0; i < n; i++) sxy += (keyedUniform(1, i, 0, 0, 1) - 0.5) * (keyedUniform(1, i + 1, 0, 0, 1) - 0.5);
    // Correlation of independent uniforms: sd = 1/sqrt(n); allow 4 sd.
    expect(Math.abs((sxy / n) * 12)).toBeLessThan(4 / Math.sqrt(n));
  });
});

describe('streamRng', () => {
  it('repeats its sequence for the same key', () => {
    const a = streamRng(1, 'x');
    const b = streamRng(1, 'x');
    const c = streamRng(1, 'y');
    const sa = [a.next(), a.next(), a.next()];
    expect([b.next(), b.next(), b.next()]).toEqual(sa);
    expect(c.next()).not.toBe(sa[0]);
  });
});
