/**
 * Scale-out as users run it: four shards as four separate processes, merged by a fifth, give the
 * byte-identical report of one unsharded process.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';

const run = promisify(execFile);
const CLI = ['--import', 'tsx', 'src/cli/main.ts'];

describe('sharded runs in separate processes', () => {
  it('merge into exactly the unsharded report', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tunnelsim-shards-'));
    const data = parse(readFileSync('scenarios/thirty-call.yaml', 'utf8'));
    data.workload = { model: 'open', arrivalRate: 2, workflows: 60 };
    data.replications = 2;
    const file = join(dir, 'small.yaml');
    writeFileSync(file, stringify(data));
    const env = { ...process.env, CI: 'true' };
    // Exit 1 is a failed threshold (seed guidance's workflow p95 fails here): the report is written.
    const gate = (e: { code?: number }) => {
      if (e.code !== 1) throw e;
    };
    await Promise.all([1, 2, 3, 4].map((i) => run(process.execPath, [...CLI, 'run', file, '--shard', `${i}/4`, '--out', join(dir, 'shards')], { env })));
    await run(process.execPath, [...CLI, 'run', file, '--out', join(dir, 'full')], { env }).catch(gate);
    const shards = [1, 2, 3, 4].map((i) => join(dir, 'shards', `thirty-call.shard-${i}-of-4.json`));
    // Two of four shards: refused, naming the missing ones.
    const partial = await run(process.execPath, [...CLI, 'merge', shards[0], shards[2], '--out', join(dir, 'partial.json')], { env }).then(
      () => ({ code: 0, stderr: '' }),
      (e: { code: number; stderr: string }) => e,
    );
    expect(partial.code).toBe(2);
    expect(partial.stderr).toMatch(/incomplete shard set: 2 of 4 shards given, missing 2\/4, 4\/4/);
    await run(process.execPath, [...CLI, 'merge', ...shards, '--out', join(dir, 'merged.json')], { env }).catch(gate);
    const merged = readFileSync(join(dir, 'merged.json'), 'utf8');
    const full = readFileSync(join(dir, 'full', 'thirty-call.json'), 'utf8');
    expect(JSON.parse(merged).policies).toHaveLength(3);
    // The merged report's thresholds were evaluated, as the unsharded run's were.
    expect(JSON.parse(merged).thresholds.length).toBeGreaterThan(0);
    expect(merged).toBe(full);
  });
});
