// Slowness that persists across attempts, on real sockets: the scenario upstream draws each
// attempt's service time with the same copula on the same keyed uniforms as the simulator, so a
// slow request is slow again on retry in live mode too, and the same calls fail.
import { describe, expect, it } from 'vitest';
import { runLive } from '../../src/run/live.js';
import { runSim } from '../../src/run/sim.js';
import { scenario } from '../helpers/scenario.js';

// 20 % of requests take 1 s, the rest 20 ms; a 300 ms timeout and three attempts. Slowness that
// persists (attemptCorrelation 1) makes every slow call fail after three timeouts.
const sc = scenario({
  workload: { model: 'closed', agents: 8, workflows: 16 },
  workflow: { steps: 3 },
  server: {
    concurrency: 64,
    tools: { a: { service: { dist: 'mixture', components: [{ weight: 0.8, dist: 'constant', value: '20ms' }, { weight: 0.2, dist: 'constant', value: '1s' }] }, resultTokens: 10, attemptCorrelation: 1 } },
  },
  policies: [{ name: 'retry', timeout: '300ms', retry: { maxAttempts: 3, backoff: 'none', layer: 'transport' } }],
});

describe('attempt correlation, live', () => {
  it('repeats a slow request’s service time on every retry, as the simulator does', async () => {
    const sim = runSim(sc).policies[0];
    const live = (await runLive(sc)).policies[0];
    expect(sim.workflows.failed).toBeGreaterThan(2);
    expect(sim.calls.timeouts).toBe(3 * sim.calls.failed);
    expect(live.workflows.failedByReason).toEqual(sim.workflows.failedByReason);
    expect(live.calls.timeouts).toBe(sim.calls.timeouts);
  });
});
