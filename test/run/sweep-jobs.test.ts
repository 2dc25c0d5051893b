/**
 * tune and capacity on the worker pool: what they write is the same, byte for byte, whether their
 * candidates and probes run on this thread, on two workers, or on three (where capacity probes
 * ahead of its bisection and must keep only what the sequential search asked for).
 */
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { runCapacity } from '../../src/run/capacity.js';
import { lookahead } from '../../src/run/capacity.js';
import { JobRunner } from '../../src/run/sweep-jobs.js';
import { runSim } from '../../src/run/sim.js';
import { parseScenario } from '../../src/scenario/load.js';
import { workerScenario } from '../helpers/scenario.js';
import { runCli } from '../helpers/cli.js';

async function files(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const f of (await readdir(dir)).sort()) out[f] = await readFile(join(dir, f), 'utf8');
  return out;
}

describe('JobRunner', () => {
  it("gives each job the report runSim gives its scenario, on any number of workers", async () => {
    const sc = parseScenario(workerScenario(), '<test>');
    const plain = JSON.stringify(runSim(sc));
    for (const workers of [1, 2]) {
      const runner = new JobRunner(workers);
      try {
        const [r] = await runner.run([{ file: '<test>', data: workerScenario(), sc, seed: sc.seed, replications: sc.replications ?? 1 }]);
        expect(JSON.stringify(r), `${workers} workers`).toBe(plain);
      } finally {
        await runner.close();
      }
    }
  });
});

describe('tune and capacity on workers', () => {
  let dir: string;
  let file: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tunnelsim-jobs-'));
    file = join(dir, 'small.yaml');
    await writeFile(file, stringify(workerScenario()));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  const run = async (args: string[], out: string) => {
    const r = await runCli([...args, '--out', join(dir, out)]);
    return { code: r.code, out: r.out.replaceAll(join(dir, out), 'OUT'), files: await files(join(dir, out)) };
  };

  it('tune writes the same bytes on 1 and 2 workers', async () => {
    const args = ['tune', file, '--objective', 'calls.amplification', '--min-success', '0.9'];
    const one = await run([...args, '--workers', '1'], 'tune-1');
    const two = await run([...args, '--workers', '2'], 'tune-2');
    expect(one.code).toBe(0);
    expect(Object.keys(one.files)).toEqual(['small.tune.json']);
    expect(two).toEqual(one);
  });

  it('capacity writes the same bytes on 1, 2 and 3 workers, for a calibrated and a fixed-timeout policy', async () => {
    for (const policy of ['pct', 'fixed']) {
      const args = ['capacity', file, '--slo', 'workflow.p(95) < 3s', '--vary', 'workload.arrivalRate', '--policy', policy, '--tolerance', '0.05'];
      const one = await run([...args, '--workers', '1'], `cap-${policy}-1`);
      expect(one.code, one.out).toBe(0);
      expect(Object.keys(one.files)).toEqual(['small.capacity.html', 'small.capacity.json']);
      expect(await run([...args, '--workers', '2'], `cap-${policy}-2`), policy).toEqual(one);
      expect(await run([...args, '--workers', '3'], `cap-${policy}-3`), policy).toEqual(one);
    }
  });

  it('lists in the search only the points the sequential search visits, however far it probes ahead', async () => {
    const one = await runCapacity('<test>', workerScenario(), { vary: 'workload.arrivalRate', slo: ['workflow.p(95) < 3s'], policy: 'fixed', curve: [1], workers: 1 });
    const three = await runCapacity('<test>', workerScenario(), { vary: 'workload.arrivalRate', slo: ['workflow.p(95) < 3s'], policy: 'fixed', curve: [1], workers: 3 });
    expect(three.search.map((p) => p.value)).toEqual(one.search.map((p) => p.value));
    expect(one.search.length).toBeGreaterThan(3);
  });

  it('probes ahead only from 3 workers: 2 levels of midpoints at 3 to 6 workers, 3 at 7', () => {
    expect([1, 2, 3, 6, 7].map(lookahead)).toEqual([1, 1, 2, 2, 3]);
  });
});
