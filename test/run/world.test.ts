/**
 * The progress hook of a world: running the kernel in slices of virtual time to report progress
 * fires the same events in the same order, so the report is the same bytes with and without it.
 */
import { describe, expect, it } from 'vitest';
import { runSim } from '../../src/run/sim.js';
import { loadScenario } from '../../src/scenario/load.js';
import { scenario } from '../helpers/scenario.js';

describe('runWorld progress', () => {
  // Outages and expiries put events at fixed times, some of them on slice boundaries.
  for (const name of ['relay-outage', 'token-expiry', 'scripted-agent']) {
    it(`${name}: the report is identical with the progress hook, which rises towards 1`, () => {
      const sc = loadScenario(`scenarios/${name}.yaml`);
      const plain = JSON.stringify(runSim(sc, { replications: 1 }));
      const seen: number[] = [];
      const hooked = JSON.stringify(runSim(sc, { replications: 1, onProgress: (done) => seen.push(done) }));
      expect(hooked).toBe(plain);
      const worlds = sc.policies.length;
      expect(seen.length).toBeGreaterThan(worlds);
      for (let i = 1; i < seen.length; i++) expect(seen[i]).toBeGreaterThanOrEqual(seen[i - 1]);
      expect(seen.every((d) => d >= 0 && d < worlds)).toBe(true);
    });
  }

  it('reports the share of workflows ended when the workload stops at a count', () => {
    // 4 agents run 40 workflows of 20 half-second steps back to back (~100 s of virtual time):
    // progress counts ended workflows and passes 0.4 well before the world ends.
    const sc = scenario({ workload: { model: 'closed', agents: 4, workflows: 40 }, workflow: { steps: 20 }, server: { tools: { a: { service: '500ms', resultTokens: 1 } } } });
    const seen: number[] = [];
    runSim(sc, { replications: 1, onProgress: (done) => seen.push(done) });
    expect(seen.some((f) => f > 0.4 && f < 1)).toBe(true);
  });
});
