/**
 * Sweeps: the grid, re-validation of every point, identical results for any number of worker
 * threads, and each point's figures equal to a plain run of that point's scenario.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TunnelsimError } from '../../src/errors.js';
import { sweepFigures, sweepTable } from '../../src/report/sweep.js';
import { applySet, grid, parseSet } from '../../src/run/sweep-grid.js';
import { runSim } from '../../src/run/sim.js';
import { runSweep } from '../../src/run/sweep.js';
import { parseScenario } from '../../src/scenario/load.js';
import { baseScenario } from '../helpers/scenario.js';
import { runCli } from '../helpers/cli.js';

function data(): Record<string, any> {
  const d = baseScenario();
  d.workload = { model: 'closed', agents: 4, workflows: 40 };
  d.faults = [{ kind: 'error', probability: 0.1 }];
  d.policies = [
    { name: 'plain', timeout: '1s' },
    { name: 'pct', timeout: 'p95x1.5', retry: { maxAttempts: 2 } },
  ];
  return d;
}

describe('sweep grid', () => {
  it('reads values as YAML scalars and varies the first --set slowest', () => {
    const a = parseSet('policies.pct.retry.maxAttempts=1,2');
    expect(a.values).toEqual([1, 2]);
    expect(parseSet('x.y=250ms,true').values).toEqual(['250ms', true]);
    const points = grid([a, parseSet('faults.0.probability=0.1,0.2,0.3')]);
    expect(points.map((p) => p.map((x) => x.value))).toEqual([
      [1, 0.1],
      [1, 0.2],
      [1, 0.3],
      [2, 0.1],
      [2, 0.2],
      [2, 0.3],
    ]);
  });

  it('sets a policy by name, a list element by index, and creates missing mappings', () => {
    const d = data();
    applySet(d, 'policies.pct.retry.maxAttempts', 3);
    applySet(d, 'faults.0.probability', 0.5);
    applySet(d, 'policies.plain.breaker.kind', 'consecutive');
    expect(d.policies[1].retry.maxAttempts).toBe(3);
    expect(d.faults[0].probability).toBe(0.5);
    expect(d.policies[0].breaker).toEqual({ kind: 'consecutive' });
    expect(() => applySet(d, 'policies.nope.timeout', '1s')).toThrow(/no element named 'nope' \(have: plain, pct\)/);
  });

  it('rejects a malformed --set', () => {
    for (const bad of ['nokey', '=1', 'a.b=', 'a..b=1']) expect(() => parseSet(bad), bad).toThrow(TunnelsimError);
  });
});

describe('runSweep', () => {
  const axes = [parseSet('policies.pct.retry.maxAttempts=1,3'), parseSet('faults.0.probability=0.05,0.2')];

  it('gives the same report on 2 or 3 threads as on one', async () => {
    const one = await runSweep('<test>', data(), axes, { workers: 1 });
    const progress: number[] = [];
    const two = await runSweep('<test>', data(), axes, { workers: 2, onProgress: (d) => progress.push(d) });
    expect(JSON.stringify(two)).toBe(JSON.stringify(one));
    const three = await runSweep('<test>', data(), axes, { workers: 3 });
    expect(JSON.stringify(three)).toBe(JSON.stringify(one));
    // 2 calibrations (the fault differs; the retry setting does not) + 4 points × 2 policies.
    expect(progress).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(one.points).toHaveLength(4);
  });

  it("gives each point the figures of a plain run of that point's scenario", async () => {
    const r = await runSweep('<test>', data(), axes, { workers: 1 });
    r.points.forEach((pt, i) => {
      const d = data();
      applySet(d, axes[0].path, axes[0].values[i >> 1]);
      applySet(d, axes[1].path, axes[1].values[i & 1]);
      const plain = runSim(parseScenario(d, '<test>'));
      expect(pt.policies).toEqual(plain.policies.map(sweepFigures));
    });
    expect(r.points[2].policies[1].retries).toBeGreaterThan(0); // maxAttempts 3 retries …
    expect(r.points[0].policies[1].retries).toBe(0); // … maxAttempts 1 does not
    expect(sweepTable(r).split('\n')).toHaveLength(2 + 4 * 2);
  });

  it('names --set and the path when a point does not validate', async () => {
    const err = await runSweep('<test>', data(), [parseSet('policies.pct.retry.maxAttempts=1,0')]).catch((e) => e);
    expect(err).toBeInstanceOf(TunnelsimError);
    expect(err.field).toBe('--set');
    expect(err.message).toMatch(/^policies\.pct\.retry\.maxAttempts=0: policies\[1\]\.retry\.maxAttempts: must be ≥ 1 \(it counts the first attempt\)/);
  });
});

describe('tunnelsim sweep', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tunnelsim-sweep-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const run = runCli;

  it('writes one sweep report for the grid and prints its table', async () => {
    const r = await run(['sweep', 'scenarios/relay-outage.yaml', '--set', 'seed=1,2', '--workers', '1', '--out', dir]);
    expect(r.code).toBe(0);
    const files = r.out.match(/wrote (.*\.sweep\.json)/)!;
    const report = JSON.parse(await readFile(files[1], 'utf8'));
    expect(report.schema).toBe('tunnelsim.sweep/v2');
    expect(report.points.map((p: any) => p.set.seed)).toEqual(['1', '2']);
    expect(report.points[0].seed).toBe(1);
  });

  it('exits 2 naming --set and the path for a bad key or value', async () => {
    const badKey = await run(['sweep', 'scenarios/relay-outage.yaml', '--set', 'policies.nope.retry.maxAttempts=2', '--out', dir]);
    expect(badKey.code).toBe(2);
    expect(badKey.err).toMatch(/^error: --set: policies\.nope\.retry\.maxAttempts: policies\.nope: no element named 'nope'/);
    const badValue = await run(['sweep', 'scenarios/relay-outage.yaml', '--set', 'workload.agents=0', '--out', dir]);
    expect(badValue.code).toBe(2);
    expect(badValue.err).toMatch(/^error: --set: workload\.agents=0: workload\.agents: /);
  });
});
