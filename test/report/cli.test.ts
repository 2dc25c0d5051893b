import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixtureReport, slowedPolicies } from './fixtures.js';
import { checkJUnit } from './junit-checker.js';
import { runCli } from '../helpers/cli.js';

let dir: string;
const file = (name: string) => join(dir, name);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tunnelsim-cli-'));
  await writeFile(file('base.json'), JSON.stringify(fixtureReport()));
  await writeFile(file('same.json'), JSON.stringify(fixtureReport()));
  await writeFile(file('slow.json'), JSON.stringify(fixtureReport({ policies: slowedPolicies(1.2) })));
  await writeFile(file('broken.json'), '{ "schema": ');
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const run = runCli;

describe('tunnelsim compare', () => {
  it('exits 0 on an identical rerun', async () => {
    const r = await run(['compare', file('base.json'), file('same.json')]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/checks passed/);
  });

  it('exits 1 on a 20 % slower system and writes JUnit XML with the failures', async () => {
    const r = await run(['compare', file('base.json'), file('slow.json'), '--junit', file('out/junit.xml')]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^error: \d+ of \d+ checks regressed/);
    const root = checkJUnit(await readFile(file('out/junit.xml'), 'utf8'));
    expect(Number(root.attrs.failures)).toBeGreaterThan(0);
  });

  it('takes repeated --threshold flags instead of the defaults', async () => {
    const r = await run(['compare', file('base.json'), file('slow.json'), '--threshold', 'workflow.p(99) <= +25%', '--threshold', 'calls.amplification <= +5%']);
    expect(r.code).toBe(0);
    expect(r.out.split('\n').filter((l) => l.startsWith('| ok')).length).toBe(2 * fixtureReport().policies.length);
  });

  it('exits 2 naming the file or flag on bad input', async () => {
    const missing = await run(['compare', file('nope.json'), file('same.json')]);
    expect(missing.code).toBe(2);
    expect(missing.err).toBe(`error: ${file('nope.json')}: no such file\n`);
    const broken = await run(['compare', file('broken.json'), file('same.json')]);
    expect(broken.code).toBe(2);
    expect(broken.err).toMatch(new RegExp(`^error: ${file('broken.json')}: not JSON`));
    const bad = await run(['compare', file('base.json'), file('same.json'), '--threshold', 'workflow.p(95) <']);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/^error: --threshold\[0\]: /);
  });
});

describe('tunnelsim compare across modes', () => {
  it('notes when the two reports come from different modes or scenarios', async () => {
    const live = fixtureReport();
    live.mode = 'live';
    await writeFile(file('live.json'), JSON.stringify(live));
    const r = await run(['compare', file('base.json'), file('live.json')]);
    expect(r.code).toBe(0);
    expect(r.err).toBe("note: comparing sim 'fixture' with live 'fixture'\n");
  });
});
