/**
 * The interval method against closed forms: Student's t quantiles against the published table,
 * and the 95 % interval's coverage of a known mean — normal draws (exact in theory), means of
 * exponential batches (the central limit theorem at work), paired differences with a shared
 * effect, and the simulator's own completion rate, whose true value 1 − p is known. Coverage over
 * T trials has standard error √(0.95 · 0.05 / T); each check allows 3.5 of them, so a seeded run
 * that passes says the method is right, not lucky, and it reproduces exactly.
 */
import { describe, expect, it } from 'vitest';
import { keyedUniform } from '../../src/kernel/rng.js';
import { meanInterval, pairedDifference, t975 } from '../../src/report/stats.js';
import { runSim } from '../../src/run/sim.js';
import { scenario } from '../helpers/scenario.js';

/** A standard normal draw from two keyed uniforms (Box–Muller). */
function normal(seed: number, a: number, b: number): number {
  const u1 = Math.max(keyedUniform(seed, a, b, 0, 1), 1e-300);
  const u2 = keyedUniform(seed, a, b, 0, 2);
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}

const tolerance = (trials: number) => 3.5 * Math.sqrt((0.95 * 0.05) / trials);

describe('t975', () => {
  it('matches the two-sided 95 % quantiles of Student’s t', () => {
    // Abramowitz & Stegun table 26.10 (and R's qt(0.975, df)).
    const known: [number, number][] = [[1, 12.7062], [2, 4.3027], [4, 2.7764], [9, 2.2622], [29, 2.0452], [40, 2.0211], [60, 2.0003], [120, 1.9799], [1000, 1.9623]];
    for (const [df, t] of known) expect(Math.abs(t975(df) - t), `df ${df}`).toBeLessThan(2e-4);
    expect(() => t975(0)).toThrow(RangeError);
  });
});

describe('meanInterval', () => {
  it('is the mean ± t·s/√n, and null with fewer than two values or a missing one', () => {
    const ci = meanInterval([1, 2, 3, 4, 5])!;
    // s = √2.5, so the half-width is 2.7764 · √(2.5/5).
    expect(ci.mean).toBe(3);
    expect(Math.abs(ci.halfWidth - 2.7764 * Math.sqrt(0.5))).toBeLessThan(1e-4);
    expect(meanInterval([1])).toBeNull();
    expect(meanInterval([1, null, 3])).toBeNull();
  });

  it('covers the true mean of normal draws 95 % of the time (5 replications, 4,000 trials)', () => {
    const trials = 4000;
    let covered = 0;
    for (let t = 0; t < trials; t++) {
      const xs = [0, 1, 2, 3, 4].map((r) => 10 + 3 * normal(11, t, r));
      const ci = meanInterval(xs)!;
      if (ci.lo <= 10 && 10 <= ci.hi) covered++;
    }
    expect(Math.abs(covered / trials - 0.95)).toBeLessThan(tolerance(trials));
  });

  it('covers the mean of exponential service times from batch means (5 batches of 200, 2,000 trials)', () => {
    // Each replication's figure is a mean over many samples, so it is close to normal.
    const trials = 2000;
    let covered = 0;
    for (let t = 0; t < trials; t++) {
      const batches = [0, 1, 2, 3, 4].map((r) => {
        let sum = 0;
        for (let i = 0; i < 200; i++) sum += -Math.log(1 - keyedUniform(23, t, r, i, 3)) * 50;
        return sum / 200;
      });
      const ci = meanInterval(batches)!;
      if (ci.lo <= 50 && 50 <= ci.hi) covered++;
    }
    expect(Math.abs(covered / trials - 0.95)).toBeLessThan(tolerance(trials));
  });
});

describe('pairedDifference', () => {
  it('covers the true difference 95 % of the time, far narrower than the intervals side by side', () => {
    const trials = 4000;
    let covered = 0;
    let narrower = 0;
    for (let t = 0; t < trials; t++) {
      // Common random numbers: each replication's large shared effect hits both policies.
      const shared = [0, 1, 2, 3, 4].map((r) => 5 * normal(31, t, r));
      const a = shared.map((s, r) => 100 + s + 0.5 * normal(37, t, r));
      const b = shared.map((s, r) => 101 + s + 0.5 * normal(41, t, r));
      const d = pairedDifference(a, b)!;
      if (d.lo <= 1 && 1 <= d.hi) covered++;
      if (d.halfWidth < meanInterval(a)!.halfWidth / 3) narrower++;
    }
    expect(Math.abs(covered / trials - 0.95)).toBeLessThan(tolerance(trials));
    expect(narrower / trials).toBeGreaterThan(0.9);
  });

  it('is significant only when the interval excludes 0', () => {
    expect(pairedDifference([1, 2, 3], [2, 3, 4.1])!.significant).toBe(true);
    expect(pairedDifference([1, 2, 3], [1.5, 1.5, 3.1])!.significant).toBe(false);
    // No difference at all is not a difference.
    expect(pairedDifference([1, 2, 3], [1, 2, 3])!.significant).toBe(false);
    expect(pairedDifference([1, 2], [1, 2, 3])).toBeNull();
  });
});

describe('replications of the simulator', () => {
  it('give an interval of the completion rate that covers 1 − p 95 % of the time (300 seeds × 5 replications)', () => {
    // One step per workflow, no retry, an error with probability p: each workflow completes with
    // probability exactly 1 − p, independently, so the per-replication rates are binomial.
    const p = 0.2;
    const sc = scenario({
      workload: { model: 'open', arrivalRate: 50, workflows: 200 },
      workflow: { steps: 1 },
      faults: [{ kind: 'error', probability: p }],
      replications: 5,
    });
    const trials = 300;
    let covered = 0;
    for (let seed = 1; seed <= trials; seed++) {
      const ci = runSim(sc, { seed }).policies[0].intervals!['workflows.successRate']!;
      if (ci.lo <= 1 - p && 1 - p <= ci.hi) covered++;
    }
    expect(Math.abs(covered / trials - 0.95)).toBeLessThan(tolerance(trials));
  });
});
