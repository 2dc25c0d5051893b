import { describe, expect, it } from 'vitest';
import * as api from '../src/index.js';

describe('the public API', () => {
  it('simulates a scenario loaded from a file and merges its shards', () => {
    const sc = api.loadScenario('scenarios/scripted-agent.yaml');
    const full = api.runSim(sc, { policies: ['sdk-default'] });
    expect(full.policies[0].workflows.started).toBeGreaterThan(0);
    const shard = api.runSim(sc, { policies: ['sdk-default'], shard: { index: 1, count: 1 } });
    expect(JSON.stringify(api.mergeReports([{ file: 'a', report: shard }]))).toBe(JSON.stringify(full));
  });

  it('names the relay, connector and error types', () => {
    expect(typeof api.RelayServer).toBe('function');
    expect(typeof api.Connector).toBe('function');
    expect(new api.TunnelsimError('BAD_INPUT', 'x', { file: 'f', field: 'a.b' }).line()).toBe('f: a.b: x');
  });
});
