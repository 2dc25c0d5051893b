/**
 * The simulator runs workflows as state machines (agent/machine.ts); live mode runs the same flow
 * as generators (agent/runner.ts). Both must give the same world record, byte for byte, on
 * scenarios that exercise every branch: agent-layer and transport retries, timeouts, breakers,
 * spend caps and context strategies, closed and open workloads, scripts and user modules.
 */
import { describe, expect, it } from 'vitest';
import { loadScenario } from '../../src/scenario/load.js';
import { calibrate, needsCalibration, resolveHedgeDelays, resolveTimeouts } from '../../src/run/calibrate.js';
import { loadWorkflowModule } from '../../src/run/module.js';
import { runWorld } from '../../src/run/world.js';
import type { Scenario } from '../../src/scenario/types.js';

const SCENARIOS = ['thirty-call', 'context-blowup', 'metastable', 'relay-outage', 'scripted-agent', 'module-agent', 'cache-expiry', 'token-expiry', 'mm1'];

function smaller(sc: Scenario): Scenario {
  const wl = sc.workload;
  const workflows = Math.min(wl.workflows ?? 300, 300);
  return { ...sc, workload: { ...wl, workflows } };
}

async function records(name: string, generators: boolean): Promise<string[]> {
  const sc = smaller(loadScenario(`scenarios/${name}.yaml`));
  const module = sc.workflow.kind === 'module' ? await loadWorkflowModule(sc) : undefined;
  const cal = needsCalibration(sc.policies) ? calibrate(sc, sc.seed, module) : undefined;
  return sc.policies.map((p) => {
    const r = runWorld(sc, p, sc.seed, resolveTimeouts(sc, p, cal), module, resolveHedgeDelays(sc, p, cal), { generators });
    return JSON.stringify({ record: r.rec.toRecord(p.name, p.name, 0), events: r.events, simulatedMs: r.simulatedMs });
  });
}

describe('WorkflowMachine', () => {
  for (const name of SCENARIOS) {
    it(`gives the generator form's world records on ${name}`, async () => {
      const machine = await records(name, false);
      expect(machine).toEqual(await records(name, true));
    });
  }

  it('gives the generator form\'s records on a closed workload with think time and agent-layer retries', async () => {
    const base = loadScenario('scenarios/thirty-call.yaml');
    const sc: Scenario = { ...base, workload: { model: 'closed', agents: 20, workflows: 200, thinkTime: { sample: (u: number) => 1000 * u, mean: 500 } } as Scenario['workload'] };
    const run = (generators: boolean) =>
      sc.policies.filter((p) => p.retry.layer === 'agent').map((p) => JSON.stringify(runWorld(sc, p, 7, resolveTimeouts(sc, p, undefined), undefined, undefined, { generators }).rec.toRecord('x', p.name, 0)));
    expect(run(false)).toEqual(run(true));
  });
});
