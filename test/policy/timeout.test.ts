/**
 * Timeouts through the whole simulator: fixed, per tool, percentile-derived from the calibration
 * pass, the workflow deadline, and whether the server honours cancellation (zombies).
 */
import { describe, expect, it } from 'vitest';
import { calibrate, resolveTimeouts } from '../../src/run/calibrate.js';
import { runSim } from '../../src/run/sim.js';
import { scenario } from '../helpers/scenario.js';

const twoTools = {
  workflow: { steps: 2, tools: ['a', 'b'] },
  server: { tools: { a: { service: '100ms', resultTokens: 10 }, b: { service: { dist: 'lognormal', median: '50ms', p99: '400ms' }, resultTokens: 10 } } },
};

describe('timeouts', () => {
  it('time out every attempt slower than a fixed timeout, per tool where given', () => {
    const sc = scenario({
      ...twoTools,
      policies: [
        { name: 'short', timeout: '60ms' },
        { name: 'per-tool', timeout: { default: '60ms', perTool: { a: '150ms' } } },
      ],
    });
    const [short, perTool] = runSim(sc).policies;
    expect(short.timeouts).toEqual({ a: 60, b: 60 });
    expect(short.tools.a.timeouts).toBe(short.tools.a.logical); // a takes 100 ms, always
    expect(perTool.timeouts.a).toBe(150);
    expect(perTool.tools.a.timeouts).toBe(0);
    expect(short.tools.b.logical).toBe(0); // a always times out first, so no workflow reaches b
    expect(perTool.tools.b.logical).toBe(perTool.workflows.started);
  });

  it('derive pNNxF timeouts from the calibration pass of the same scenario', () => {
    const sc = scenario({ ...twoTools, policies: [{ name: 'p99', timeout: 'p99x1.2' }, { name: 'p95', timeout: { perTool: 'p95x1.5' } }] });
    const cal = calibrate(sc, sc.seed);
    const report = runSim(sc);
    const expected = (p: number, f: number) => cal.histograms.map((h) => (h.getValueAtPercentile(p) / 1000) * f);
    expect(resolveTimeouts(sc, sc.policies[0], cal)).toEqual(expected(99, 1.2));
    expect(report.policies[0].timeouts.b).toBeCloseTo(expected(99, 1.2)[1], 3);
    expect(report.policies[1].timeouts.b).toBeCloseTo(expected(95, 1.5)[1], 3);
    // 1.2 × p99 leaves about 1 % of b's attempts (and fewer) past the timeout.
    expect(report.policies[0].tools.b.timeouts / report.policies[0].tools.b.logical).toBeLessThan(0.02);
  });

  it('fail the workflow with deadline once the workflow deadline passes', () => {
    const sc = scenario({ workflow: { steps: 5 }, policies: [{ name: 'd', timeout: 'none', deadline: '35ms' }] });
    const r = runSim(sc).policies[0];
    // Each step's call takes 10 ms: the fourth call cannot finish by 35 ms.
    expect(r.workflows.failedByReason).toEqual({ deadline: r.workflows.started });
    expect(r.calls.logical).toBe(4 * r.workflows.started);
  });

  it('leave zombie executions unless the server honours cancellation', () => {
    // A second of think time after each workflow lets every abandoned execution finish in the run.
    const base = { workload: { thinkTime: '1s' }, server: { tools: { a: { service: '200ms', resultTokens: 10 } } }, workflow: { steps: 1 } };
    const run = (cancelOnTimeout: boolean) =>
      runSim(scenario({ ...base, policies: [{ name: 'c', timeout: '50ms', cancelOnTimeout }] })).policies[0].calls.zombieExecutions;
    expect(run(false)).toBe(20); // every one of the 20 calls ran to completion after its caller left
    expect(run(true)).toBe(0);
  });
});

describe('percentile values', () => {
  it('read a bare pNN as 1 × pNN, for timeouts and hedge delays alike', () => {
    const sc = scenario({ ...twoTools, policies: [{ name: 'h', timeout: 'p99', hedging: { delay: 'p95' } }] });
    const p = sc.policies[0];
    expect(p.timeout.default).toEqual({ kind: 'percentile', percentile: 99, factor: 1 });
    expect(p.hedging?.delay).toEqual({ kind: 'percentile', percentile: 95, factor: 1 });
  });
});
