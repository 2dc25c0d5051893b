import { describe, expect, it } from 'vitest';
import { runSim } from '../../src/run/sim.js';
import { scenario } from '../helpers/scenario.js';

const open = (w: Record<string, unknown>) =>
  scenario({ workload: { model: 'open', agents: null, workflows: null, ...w }, workflow: { steps: 1 }, server: { concurrency: 1000 } });

describe('open workloads', () => {
  it('start evenly spaced workflows with uniform arrivals', () => {
    const r = runSim(open({ arrivalRate: 10, arrival: 'uniform', duration: '60s' })).policies[0];
    // Arrivals at 0.1 s, 0.2 s, … strictly before 60 s.
    expect(r.workflows.started).toBe(599);
  });

  it('ramp through stages: arrivals ≈ the area under the rate (Poisson, 4 SD)', () => {
    // 0 → 20/s over 2 min, hold 20/s for 1 min: Λ = ½·120·20 + 60·20 = 2400.
    const r = runSim(open({ stages: [{ duration: '2m', target: 20 }, { duration: '1m', target: 20 }] })).policies[0];
    expect(Math.abs(r.workflows.started - 2400)).toBeLessThan(4 * Math.sqrt(2400));
  });

  it('add bursts on top of the arrivals', () => {
    const base = runSim(open({ arrivalRate: 2, arrival: 'uniform', duration: '30s' })).policies[0].workflows.started;
    const burst = runSim(open({ arrivalRate: 2, arrival: 'uniform', duration: '30s', bursts: [{ every: '10s', size: 25 }, { at: '5s', size: 7 }] })).policies[0].workflows.started;
    expect(burst - base).toBe(2 * 25 + 7); // bursts at 10 s and 20 s (30 s is the end), one at 5 s
  });

  it('scale the whole profile with rateScale', () => {
    const r = runSim(open({ arrivalRate: 10, arrival: 'uniform', duration: '60s', rateScale: 0.5 })).policies[0];
    expect(r.workflows.started).toBe(299);
  });

  it('refuse open-workload keys on a closed workload', () => {
    expect(() => scenario({ workload: { model: 'closed', agents: 3, workflows: 10, arrivalRate: 5 } })).toThrow(/arrivalRate.*belongs to an open workload/);
  });
});

describe('a daily profile from CSV', () => {
  it('drives arrivals by the piecewise-linear rate it describes', async () => {
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const { stringify } = await import('yaml');
    const { loadScenario } = await import('../../src/scenario/load.js');
    const { baseScenario } = await import('../helpers/scenario.js');
    const dir = mkdtempSync(join(tmpdir(), 'tunnelsim-profile-'));
    writeFileSync(join(dir, 'day.csv'), 'time,rate\n0s,0\n60s,10\n120s,0\n');
    const data = baseScenario();
    data.workload = { model: 'open', profile: 'day.csv', arrival: 'uniform', duration: '120s' };
    data.workflow.steps = 1;
    writeFileSync(join(dir, 's.yaml'), stringify(data));
    const r = runSim(loadScenario(join(dir, 's.yaml'))).policies[0];
    // Λ(120 s) = ½ · 120 · 10 = 600 evenly spaced arrivals in operational time; the 600th lands at 120 s exactly.
    expect(r.workflows.started).toBe(599);
  });
});
