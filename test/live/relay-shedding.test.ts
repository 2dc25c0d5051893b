// Load shedding on queueing delay through the real relay: the live relay server drives the same
// sans-IO admission as the simulator, so a standing queue sheds requests that waited past the
// target, the agent gets an overload error (`rejected`), and the live report counts them as the
// simulator does.
import { describe, expect, it } from 'vitest';
import { runLive } from '../../src/run/live.js';
import { runSim } from '../../src/run/sim.js';
import { scenario } from '../helpers/scenario.js';

// Eight agents on one relay slot, 40 ms calls: a standing queue of seven. The relay lets a request
// wait 100 ms while the queue has emptied recently, 5 ms once it has stood that long.
const sc = scenario({
  workload: { model: 'closed', agents: 8, workflows: 48 },
  workflow: { steps: 1, tools: ['a'] },
  relay: { processing: '0ms', maxInFlightPerTunnel: 1, queue: 64 },
  server: { concurrency: 8, tools: { a: { service: '40ms', resultTokens: 10 } } },
  policies: [
    { name: 'plain', timeout: 'none' },
    { name: 'shedding', timeout: 'none', relayShedding: { kind: 'codel', target: '5ms', interval: '100ms' } },
  ],
});

describe('relay shedding, live', () => {
  it('sheds queued requests that waited too long, in the simulator and through the real relay alike', async () => {
    const sim = Object.fromEntries(runSim(sc).policies.map((p) => [p.name, p]));
    const live = Object.fromEntries((await runLive(sc)).policies.map((p) => [p.name, p]));
    for (const r of [sim, live]) {
      expect(r.plain.calls.shedByRelay).toBe(0);
      expect(r.plain.workflows.completed).toBe(48);
      expect(r.shedding.calls.shedByRelay).toBeGreaterThan(10);
      // A shed request never ran: the call fails fast with the relay's overload answer.
      expect(r.shedding.workflows.failedByReason).toEqual({ rejected: r.shedding.calls.shedByRelay });
    }
  });
});
