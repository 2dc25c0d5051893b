/** The turn-cost formula and its long-context tiers. */
import { describe, expect, it } from 'vitest';
import { ratesFor, toNanos, turnCost, type Pricing } from '../../src/tokens/pricing.js';

const p: Pricing = {
  source: 't',
  inputPerMTok: 1.25,
  outputPerMTok: 10,
  cacheReadMultiplier: 0.1,
  cacheWriteMultiplier: 1.25,
  cacheTtl: 300_000,
  caching: 'explicit',
  tiers: [
    { above: 200_000, inputPerMTok: 2.5, outputPerMTok: 15 },
    { above: 500_000, inputPerMTok: 5, outputPerMTok: 20 },
  ],
};

describe('turnCost', () => {
  it('is (input·in + cacheRead·in·r + cacheWrite·in·w + output·out) / 1e6', () => {
    const t = { input: 1000, cacheRead: 20_000, cacheWrite: 3000, output: 400 };
    expect(turnCost(p, t)).toBeCloseTo((1000 * 1.25 + 20_000 * 1.25 * 0.1 + 3000 * 1.25 * 1.25 + 400 * 10) / 1e6, 12);
  });

  it('keeps the base rates up to a tier threshold and switches the whole turn above it', () => {
    expect(ratesFor(p, 200_000)).toMatchObject({ inputPerMTok: 1.25, outputPerMTok: 10 });
    expect(ratesFor(p, 200_001)).toMatchObject({ inputPerMTok: 2.5, outputPerMTok: 15 });
    expect(ratesFor(p, 600_000)).toMatchObject({ inputPerMTok: 5, outputPerMTok: 20 });
    const t = { input: 1, cacheRead: 200_000, cacheWrite: 0, output: 100 };
    expect(turnCost(p, t)).toBeCloseTo((1 * 2.5 + 200_000 * 2.5 * 0.1 + 100 * 15) / 1e6, 12);
  });
});

describe('toNanos', () => {
  it('rounds dollars to integer nano-dollars', () => {
    expect(toNanos(0.0000123456)).toBe(12346);
    expect(Number.isInteger(toNanos(1 / 3))).toBe(true);
  });
});
