/**
 * The determinism contract (DESIGN.md): same scenario + seed → byte-identical report; common random
 * numbers across policies; shards merge into exactly the unsharded report.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parseScenario } from '../../src/scenario/load.js';
import { runSim } from '../../src/run/sim.js';
import { mergeReports } from '../../src/run/merge.js';
import type { TunnelsimError } from '../../src/errors.js';
import type { Scenario } from '../../src/scenario/types.js';

/** The reference scenario, shortened: 20 agents, 120 workflows (the outage and spike still land). */
export function smallReference(patch: (d: any) => void = () => {}): Scenario {
  const data = parse(readFileSync('scenarios/thirty-call.yaml', 'utf8'));
  data.workload = { model: 'closed', agents: 20, workflows: 120 };
  data.replications = 2;
  patch(data);
  return parseScenario(data, 'scenarios/thirty-call.yaml');
}

const json = (x: unknown) => JSON.stringify(x);

describe('runSim', () => {
  const sc = smallReference();
  const full = runSim(sc);

  it('gives a byte-identical report for the same seed', () => {
    expect(json(runSim(smallReference()))).toBe(json(full));
  });

  it('gives other numbers for another seed', () => {
    const other = runSim(sc, { seed: 43 });
    expect(other.policies[0].calls.attempts).not.toBe(full.policies[0].calls.attempts);
    expect(json(other.policies)).not.toBe(json(full.policies));
  });

  it('gives a policy the same figures alone as beside the others (common random numbers)', () => {
    for (const name of sc.policies.map((p) => p.name)) {
      const alone = runSim(sc, { policies: [name] });
      expect(alone.policies).toHaveLength(1);
      expect(json(alone.policies[0])).toBe(json(full.policies.find((p) => p.name === name)));
    }
  });

  it('merges shards 1/4 … 4/4 into exactly the unsharded report, empty shards included', () => {
    const shards = [1, 2, 3, 4].map((index) => runSim(sc, { shard: { index, count: 4 } }));
    const merged = mergeReports(shards.map((report, i) => ({ file: `s${i}.json`, report: JSON.parse(json(report)) })));
    expect(json(merged)).toBe(json(full));
    const eight = [1, 2, 3, 4, 5, 6, 7, 8].map((index) => runSim(sc, { shard: { index, count: 8 } }));
    expect(eight.some((r) => r.worlds.length === 0)).toBe(true);
    expect(json(mergeReports(eight.map((report, i) => ({ file: `e${i}.json`, report }))))).toBe(json(full));
  });

  it('refuses to merge a shard twice, naming both files', () => {
    const s1 = runSim(sc, { shard: { index: 1, count: 2 } });
    expect(() => mergeReports([{ file: 'a.json', report: s1 }, { file: 'b.json', report: s1 }])).toThrow(/shard 1\/2 again \(also a.json\)/);
  });

  it('refuses an incomplete shard set, naming the missing shards', () => {
    const given = [1, 3].map((index) => ({ file: `s${index}.json`, report: runSim(sc, { shard: { index, count: 4 } }) }));
    const err = (() => {
      try {
        mergeReports(given);
      } catch (e) {
        return e as TunnelsimError;
      }
    })();
    expect(err?.exitCode).toBe(2);
    expect(err?.message).toBe('an incomplete shard set: 2 of 4 shards given, missing 2/4, 4/4');
  });

  it('refuses a mixed shard set and a whole run among shards', () => {
    const a = runSim(sc, { shard: { index: 1, count: 2 } });
    const b = runSim(sc, { shard: { index: 2, count: 4 } });
    expect(() => mergeReports([{ file: 'a.json', report: a }, { file: 'b.json', report: b }])).toThrow(/is shard 2\/4, but a.json is of 2 shards: a mixed set/);
    expect(() => mergeReports([{ file: 'a.json', report: a }, { file: 'full.json', report: full }])).toThrow(/is a whole run, not a shard/);
  });

  it('holds no wall-clock stamps or absolute paths', () => {
    const text = json(full);
    expect(text).not.toMatch(/\/work\/|\/home\/|\/tmp\//);
    expect(text).not.toMatch(/20\d\d-\d\d-\d\dT/);
  });
});

describe('the reference scenario', () => {
  it('shows agent-layer retries behind a short timeout storming and costing more than seed guidance', () => {
    const r = runSim(smallReference((d) => (d.replications = 1)));
    const naive = r.policies.find((p) => p.name === 'naive-retry')!;
    const seed = r.policies.find((p) => p.name === 'seed-guidance')!;
    expect(naive.calls.amplification!).toBeGreaterThan(seed.calls.amplification!);
    // Its retries multiply the load the agents offer: more attempts per offered call at the peak than
    // seed guidance's, and well above one.
    expect(naive.storm.peakRatio!).toBeGreaterThan(seed.storm.peakRatio!);
    expect(naive.storm.peakRatio!).toBeGreaterThan(1.2);
    expect(naive.cost.retryTurns).toBeGreaterThan(0);
    // Transport-layer retries buy no LLM turns: seed guidance's retry tax is only what its failed
    // workflows spent.
    expect(seed.cost.retryTurns).toBe(0);
    expect(seed.cost.failedWorkflows).toBeGreaterThan(0);
    expect(naive.cost.retryTurns + naive.cost.failedWorkflows).toBeGreaterThan(seed.cost.retryTurns + seed.cost.failedWorkflows);
    expect(naive.calls.duplicateExecutions).toBeGreaterThan(seed.calls.duplicateExecutions);
  });
});
