import { describe, expect, it } from 'vitest';
import { runTune } from '../../src/run/tune.js';
import { baseScenario } from '../helpers/scenario.js';

describe('runTune', async () => {
  it('finds the fewest attempts that meet a completion SLO: 1 − pᵏ ≥ 0.95 at p = 0.3 means k = 3', async () => {
    const d = baseScenario();
    d.workload = { model: 'open', arrivalRate: 20, workflows: 4000 };
    d.workflow.steps = 1;
    d.faults = [{ kind: 'error', probability: 0.3 }];
    // k = 2 gives 0.91 and k = 3 gives 0.973; 4,000 workflows put 4 SD (±0.011) between each and 0.95.
    const r = await runTune('<test>', d, { objective: 'calls.amplification', slo: [], minSuccess: 0.95 });
    expect(r.best).not.toBeNull();
    expect(r.best!.settings.maxAttempts).toBe('3');
    expect(r.best!.meetsSlo).toBe(true);
    // Mean attempts (1 − p³)/(1 − p) = 1.39, within 4 SD.
    expect(Math.abs(r.best!.objective! - (1 - 0.3 ** 3) / 0.7)).toBeLessThan(0.03);
    expect(r.policyYaml).toMatch(/maxAttempts: 3/);
    expect(r.comparison.map((c) => c.name)).toContain('seed-guidance');
  });

  it('with no round to run, answers with the starting point, the seed guidance', async () => {
    const d = baseScenario();
    d.workload = { model: 'open', arrivalRate: 20, workflows: 200 };
    const r = await runTune('<test>', d, { objective: 'cost.perCompletedWorkflow', slo: [], minSuccess: 0, maxRounds: 0 });
    expect(r.rounds).toBe(0);
    expect(r.evaluated).toBe(1);
    expect(r.best!.settings).toEqual({ timeout: 'p95x1.5', maxAttempts: '3', backoff: 'exponential 200ms…30s, full jitter', breaker: 'consecutive 5, half-open after 30s' });
  });

  it('is deterministic', async () => {
    const d = baseScenario();
    d.workload = { model: 'open', arrivalRate: 20, workflows: 500 };
    d.faults = [{ kind: 'error', probability: 0.1 }];
    const a = await runTune('<test>', structuredClone(d), { objective: 'cost.perCompletedWorkflow', slo: [], maxRounds: 1 });
    const b = await runTune('<test>', structuredClone(d), { objective: 'cost.perCompletedWorkflow', slo: [], maxRounds: 1 });
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
  });
});
