// Fault injection on real frames draws what the simulator draws: for the same (workflow, call,
// attempt) both modes meet the same fault, so a policy without retries fails the same workflows
// for the same reasons in sim and live.
import { describe, expect, it } from 'vitest';
import { runLive } from '../../src/run/live.js';
import { runSim } from '../../src/run/sim.js';
import type { PolicyReport, Report } from '../../src/report/types.js';
import { scenario } from '../helpers/scenario.js';

const faulty = () =>
  scenario({
    workload: { model: 'closed', agents: 8, workflows: 40 },
    workflow: { steps: 5, tools: ['a', 'b'], order: 'round-robin' },
    network: { agentToRelay: { latency: '10ms' }, relayToServer: { latency: '5ms' } },
    server: { concurrency: 16, tools: { a: { service: '10ms', resultTokens: 50 }, b: { service: '20ms', resultTokens: 80 } } },
    faults: [
      { kind: 'hang', tool: 'a', probability: 0.03 },
      { kind: 'error', probability: 0.03, code: -32050 },
      { kind: 'drop', probability: 0.02 },
      { kind: 'reset', probability: 0.02 },
      { kind: 'rate-limit', probability: 0.02, retryAfter: '50ms' },
      { kind: 'slow', tool: 'b', probability: 0.2, multiplier: 3 },
    ],
    policies: [{ name: 'no-retry', timeout: `${TIMEOUT_MS}ms` }],
  });

/**
 * The slowest call that meets no fault: four links (10 + 10 + 5 + 5 ms) and `b`'s service slowed
 * 3×. The 2 s timeout leaves the rest as margin, so only hangs and drops time out — unless the
 * machine delays a call's timers by more than that margin, which the run's own timer lateness
 * tells. Then timeouts the simulator never saw end workflows early, and only what such delays
 * cannot change is compared: a late timer can turn a success into a failure, never the reverse.
 */
const SLOWEST_MS = 10 + 10 + 5 + 5 + 60;
const TIMEOUT_MS = 2000;
const TIMERS_PER_CALL = 6;

function sameFailures(sim: PolicyReport, report: Report, timeScale: number): void {
  const live = report.policies[0];
  const late = report.live!.timerLateness!;
  const busy = (TIMERS_PER_CALL * late.max) / timeScale >= TIMEOUT_MS - SLOWEST_MS;
  if (!busy) {
    expect(live.workflows.failedByReason).toEqual(sim.workflows.failedByReason);
    expect(live.calls.logical).toBe(sim.calls.logical);
    expect(live.calls.errors).toBe(sim.calls.errors);
    expect(live.calls.timeouts).toBe(sim.calls.timeouts);
  } else {
    expect(live.workflows.failed).toBeGreaterThanOrEqual(sim.workflows.failed);
    expect(live.calls.logical).toBeLessThanOrEqual(sim.calls.logical);
  }
}

describe('live fault injection', () => {
  it('fails the same workflows for the same reasons as the simulator', async () => {
    const sc = faulty();
    const sim = runSim(sc, { replications: 1 }).policies[0];
    expect(sim.workflows.failed).toBeGreaterThan(5);
    sameFailures(sim, await runLive(sc, { timeScale: 0.25 }), 0.25);
  });

  it('draws the same faults with the relay, connector and upstream in a worker thread', async () => {
    const sc = faulty();
    const sim = runSim(sc, { replications: 1 }).policies[0];
    sameFailures(sim, await runLive(sc, { timeScale: 0.25, thread: 'worker' }), 0.25);
  });

  it('answers unavailable inside an outage window and recovers after it', async () => {
    const sc = scenario({
      workload: { model: 'closed', agents: 4, duration: '3s', workflows: null },
      workflow: { steps: 2, tools: ['a'], order: 'round-robin' },
      network: { agentToRelay: { latency: '5ms' }, relayToServer: { latency: '5ms' } },
      faults: [{ kind: 'outage', target: 'server', from: '1s', to: '1500ms' }],
      policies: [{ name: 'no-retry', timeout: '1s' }],
    });
    const sim = runSim(sc, { replications: 1 }).policies[0];
    const live = (await runLive(sc, { timeScale: 0.5 })).policies[0];
    // Agents fail fast inside the window and start the next workflow at once, so failures pile up
    // there as in the simulator; outside it every workflow completes. How many pile up goes as the
    // window over one failed workflow's time to failure, and live's carries the real stack's
    // overhead (more on a busy machine): scale the simulator's count by the two measured times.
    expect(sim.workflows.failedByReason.unavailable).toBeGreaterThan(10);
    expect(live.workflows.failedByReason).toEqual({ unavailable: live.workflows.failed });
    // Each of the 4 agents may also fit one failure more or fewer at the window's edges, whatever
    // the times: that part of the margin is additive, not a share.
    const expected = (sim.workflows.failed * sim.latency['workflow.failed'].mean) / live.latency['workflow.failed'].mean;
    const agents = 4;
    expect(live.workflows.failed).toBeGreaterThan(expected * 0.7 - agents);
    expect(live.workflows.failed).toBeLessThan(expected * 1.3 + agents);
    expect(live.workflows.completed).toBeGreaterThan(0);
  });
});

describe('a live world with calls that hang and no timeout', () => {
  it('ends when nothing can happen any more, as the simulator does', async () => {
    const sc = scenario({
      workload: { model: 'closed', agents: 2, workflows: 6 },
      workflow: { steps: 2, tools: ['a'], order: 'round-robin' },
      faults: [{ kind: 'hang', probability: 1 }],
      policies: [{ name: 'no-timeout', timeout: 'none' }],
    });
    const sim = runSim(sc).policies[0];
    const live = (await runLive(sc)).policies[0];
    expect(live.workflows.started).toBe(sim.workflows.started);
    expect(live.workflows.completed).toBe(0);
    expect(live.workflows.failed).toBe(0);
  });
});
