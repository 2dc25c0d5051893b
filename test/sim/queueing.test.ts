/**
 * Queueing theory checks where closed forms exist, with stated tolerances.
 */
import { describe, expect, it } from 'vitest';
import { runSim } from '../../src/run/sim.js';
import { scenario } from '../helpers/scenario.js';
import { erlangC } from '../helpers/queueing.js';

function mmc(lambda: number, mu: number, c: number, workflows: number) {
  return runSim(
    scenario({
      workload: { model: 'open', arrivalRate: lambda, agents: null, workflows },
      workflow: { steps: 1 },
      server: { concurrency: c, tools: { a: { service: { dist: 'exponential', mean: `${1000 / mu}ms` }, resultTokens: 0 } } },
    }),
  ).policies[0];
}

describe('an M/M/c server pool', () => {
  it('reproduces the Erlang C mean wait C(c, a) / (cμ − λ) within 5% (c = 4, ρ = 0.6)', () => {
    const c = 4;
    const mu = 10;
    const lambda = 24;
    const r = mmc(lambda, mu, c, 200_000);
    const expectedMs = (erlangC(c, lambda / mu) / (c * mu - lambda)) * 1000;
    // Standard error of the mean wait at this load and n ≈ 1.5% (batch means); 5% ≈ 3 SE.
    expect(Math.abs(r.latency.serverQueue.mean / expectedMs - 1)).toBeLessThan(0.05);
  });

  it('keeps its workers busy a share ρ = λ/(cμ) of the time, within 2%', () => {
    const r = mmc(24, 10, 4, 100_000);
    expect(Math.abs(r.utilisation!.server / 0.6 - 1)).toBeLessThan(0.02);
  });

  it('matches the M/M/1 special case of Erlang C', () => {
    // C(1, ρ) = ρ, so the wait is ρ/(μ − λ).
    expect(erlangC(1, 0.5)).toBeCloseTo(0.5, 12);
  });
});
