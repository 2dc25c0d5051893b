/**
 * Golden reports: every bundled scenario, run in sim mode, must give the same bytes as the
 * committed digest. Speed work (kernel, runner, world) may change how a figure is computed, never
 * the figure. A change that alters reports on purpose regenerates the digests with
 * `UPDATE_GOLDEN=1 npx vitest run test/run/golden.test.ts` and says why in its commit.
 *
 * The heavy scenarios run one replication (a replication is a seed; the code path is the same).
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

const DIGESTS = 'test/fixtures/golden-reports.json';
const ONE_REPLICATION = new Set(['capacity', 'latency-spike', 'metastable', 'mm1', 'thirty-call']);
const update = process.env.UPDATE_GOLDEN === '1';
const committed: Record<string, string> = update ? {} : JSON.parse(readFileSync(DIGESTS, 'utf8'));
const found: Record<string, string> = {};
const out = mkdtempSync(join(tmpdir(), 'tunnelsim-golden-'));
const names = readdirSync('scenarios')
  .filter((f) => f.endsWith('.yaml'))
  .map((f) => f.slice(0, -'.yaml'.length))
  .sort();

afterAll(() => {
  rmSync(out, { recursive: true, force: true });
  if (update) writeFileSync(DIGESTS, JSON.stringify(found, null, 2) + '\n');
});

describe('golden sim reports', () => {
  it('covers every bundled scenario', () => {
    if (update) return;
    expect(Object.keys(committed).sort()).toEqual(names);
  });

  for (const name of names) {
    it(`${name}: report bytes match the committed digest`, async () => {
      const args = ['run', `scenarios/${name}.yaml`, '--format', 'json', '--out', out];
      if (ONE_REPLICATION.has(name)) args.push('--replications', '1');
      const r = await runCli(args);
      // Exit 1 is a failed threshold (the reference's seed-guidance gate fails by design).
      expect(r.code === 0 || r.code === 1, r.err).toBe(true);
      const digest = createHash('sha256').update(readFileSync(join(out, `${name}.json`))).digest('hex');
      found[name] = digest;
      if (!update) expect(digest).toBe(committed[name]);
    });
  }
});
