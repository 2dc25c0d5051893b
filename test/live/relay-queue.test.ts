// The relay's queue time in a live report: the real relay audits how long each call waited for a
// slot, and the live run files it under the attempt it delayed — on the agents' thread and with the
// relay in a worker thread — so live reports relayQueue as the simulator does.
import { describe, expect, it } from 'vitest';
import { runLive } from '../../src/run/live.js';
import { runSim } from '../../src/run/sim.js';
import { scenario } from '../helpers/scenario.js';

// Four agents, one slot at the relay, 40 ms calls: three calls wait at the relay at any time.
const sc = scenario({
  workload: { model: 'closed', agents: 4, workflows: 24 },
  workflow: { steps: 1, tools: ['a'] },
  relay: { processing: '0ms', maxInFlightPerTunnel: 1, queue: 16 },
  server: { concurrency: 8, tools: { a: { service: '40ms', resultTokens: 100 } } },
});

describe('relay queue time, live', () => {
  const sim = runSim(sc).policies[0].latency;

  it.each(['main', 'worker'] as const)('is measured from the relay’s audit and agrees with the simulator (relay on the %s thread)', async (thread) => {
    const report = await runLive(sc, { thread });
    const live = report.policies[0].latency;
    // Closed form for the simulator: with 4 agents on one 40 ms slot, a call waits for the 3 ahead.
    expect(sim.relayQueue.p50).toBeGreaterThan(100);
    // Live adds the real stack's per-call overhead (~1–5 ms on loopback) to each slot's hold time,
    // and the audit has whole-ms resolution: 20 % of the 40 ms hold, plus what this run's own timers
    // say the machine added to it (a loaded machine holds every slot longer).
    const machine = (6 * report.live!.timerLateness!.p95) / 40;
    expect(Math.abs(live.relayQueue.mean / sim.relayQueue.mean - 1)).toBeLessThan(0.2 + machine);
    expect(live.relayQueue.count).toBe(live.attempt.count);
    // The queue wait is no longer hidden in the tunnel round trip: the round trip is a fraction of it.
    expect(live.tunnelRoundTrip.p50).toBeLessThan(live.relayQueue.p50 / 2);
  });
});
