import { describe, expect, it } from 'vitest';
import { checkAgainstTheory, MM1_MEAN_WAIT_MS, simpyLeg, simpyMissing } from '../../src/bench/anchors.js';

describe('the SimPy anchor', () => {
  const missing = simpyMissing();

  it.skipIf(missing !== undefined)('runs the same M/M/1 queue in SimPy 2.3 and reports every customer and the mean wait', () => {
    const leg = simpyLeg(20_000);
    expect(leg.customers).toBe(20_000);
    expect(leg.wallMs).toBeGreaterThan(0);
    // 2·10⁴ customers at ρ = 0.9: the mean wait is within a factor of two of ρ/(μ − λ) = 9 s.
    expect(leg.meanWaitMs).toBeGreaterThan(MM1_MEAN_WAIT_MS / 2);
    expect(leg.meanWaitMs).toBeLessThan(MM1_MEAN_WAIT_MS * 2);
  });

  it('says why when SimPy is absent', () => {
    if (missing) expect(missing).toMatch(/python3-simpy/);
    else expect(missing).toBeUndefined();
  });

  it('refuses a leg that did not simulate the queue it claims', () => {
    expect(() => checkAgainstTheory({ wallMs: 1, customers: 10, meanWaitMs: MM1_MEAN_WAIT_MS }, 10)).not.toThrow();
    expect(() => checkAgainstTheory({ wallMs: 1, customers: 9, meanWaitMs: MM1_MEAN_WAIT_MS }, 10)).toThrow(/served 9 of 10/);
    expect(() => checkAgainstTheory({ wallMs: 1, customers: 10, meanWaitMs: 4000 }, 10)).toThrow(/not the same M\/M\/1 queue/);
  });
});
