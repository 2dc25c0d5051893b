/**
 * `run` on worker threads: the report it writes is the one the single-thread run writes, byte for
 * byte, and the default spreads a run over the cores only when it is big enough to gain.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { autoWorkers, PARALLEL_CALLS } from '../../src/run/sim-workers.js';
import { parseScenario } from '../../src/scenario/load.js';
import { workerScenario } from '../helpers/scenario.js';
import { runCli } from '../helpers/cli.js';

/** Six worlds (2 policies × 3 replications) and a calibration pass. */
function small(): Record<string, any> {
  const d = workerScenario();
  d.replications = 3;
  d.workload.workflows = 120;
  return d;
}

describe('run --workers', () => {
  let dir: string;
  let file: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tunnelsim-run-workers-'));
    file = join(dir, 'small.yaml');
    await writeFile(file, stringify(small()));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('writes the same report and prints the same table on two workers as on this thread', async () => {
    const one = await runCli(['run', file, '--workers', '1', '--out', join(dir, 'one'), '--format', 'json,md']);
    const two = await runCli(['run', file, '--workers', '2', '--out', join(dir, 'two'), '--format', 'json,md']);
    expect(one.code).toBe(0);
    expect(two.code).toBe(0);
    for (const f of ['small.json', 'small.md']) expect(await readFile(join(dir, 'two', f), 'utf8'), f).toBe(await readFile(join(dir, 'one', f), 'utf8'));
    expect(two.out.replace(/wrote .*/, '')).toBe(one.out.replace(/wrote .*/, ''));
    // Six worlds and a calibration pass: the run did have something to spread.
    expect(JSON.parse(await readFile(join(dir, 'two', 'small.json'), 'utf8')).worlds).toHaveLength(6);
  });

  it('refuses a worker count that is not a positive integer, in one line', async () => {
    const r = await runCli(['run', file, '--workers', '0', '--out', join(dir, 'bad')]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^error: .*--workers.*'0' is not a worker count/m);
  });
});

describe('autoWorkers', () => {
  const sc = (over: Record<string, any>) => parseScenario({ ...small(), ...over }, '<test>');

  it('spreads a run of several worlds and enough calls over every core, never over more threads than worlds', () => {
    // 2 policies × 5 replications × 60,000 workflows × 2 steps = 1,200,000 expected calls.
    const big = sc({ replications: 5, workload: { model: 'open', arrivalRate: 4, workflows: 60_000 } });
    expect(autoWorkers(big, undefined, 4)).toBe(4);
    expect(autoWorkers(big, undefined, 16)).toBe(10);
    // One replication: 2 worlds, and 2 × 150,000 × 2 = 600,000 calls.
    const wide = sc({ replications: 5, workload: { model: 'open', arrivalRate: 4, workflows: 150_000 } });
    expect(autoWorkers(wide, 1, 8)).toBe(2);
    expect(autoWorkers(big, 1, 8)).toBe(1);
  });

  it('keeps a small run, a run of one world and a one-core machine on this thread', () => {
    const calls = (s: ReturnType<typeof sc>, r: number) => s.policies.length * r * 2 * (s.workload.workflows ?? 0);
    const justUnder = sc({ replications: 5, workload: { model: 'open', arrivalRate: 4, workflows: Math.floor(PARALLEL_CALLS / 20) - 1 } });
    expect(calls(justUnder, 5)).toBeLessThan(PARALLEL_CALLS);
    expect(autoWorkers(justUnder, undefined, 8)).toBe(1);
    const oneWorld = sc({ replications: 1, policies: [{ name: 'only', timeout: '2s' }], workload: { model: 'open', arrivalRate: 4, workflows: 1_000_000 } });
    expect(autoWorkers(oneWorld, undefined, 8)).toBe(1);
    const big = sc({ replications: 5, workload: { model: 'open', arrivalRate: 4, workflows: 60_000 } });
    expect(autoWorkers(big, undefined, 1)).toBe(1);
  });
});
