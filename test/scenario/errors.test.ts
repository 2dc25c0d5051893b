/**
 * Bad input gets one line naming the file and the field path, exit code 2, no stack trace, and
 * nothing written. Each case runs the real CLI entry in-process.
 */
import { mkdtempSync, readdirSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { parse, stringify } from 'yaml';
import { main } from '../../src/cli/main.js';

let dir: string;
let err: string;
let out: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tunnelsim-bad-'));
  err = '';
  out = '';
  vi.spyOn(process.stderr, 'write').mockImplementation((s: any) => ((err += String(s)), true));
  vi.spyOn(process.stdout, 'write').mockImplementation((s: any) => ((out += String(s)), true));
});
afterEach(() => vi.restoreAllMocks());

function reference(): any {
  return parse(readFileSync('scenarios/thirty-call.yaml', 'utf8'));
}

function write(name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

async function expectBad(args: string[], pattern: RegExp): Promise<void> {
  const code = await main(args);
  expect(code).toBe(2);
  const lines = err.trimEnd().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^error: /);
  expect(lines[0]).toMatch(pattern);
  expect(err).not.toMatch(/\n\s+at /); // no stack frames
}

describe('tunnelsim run on bad scenarios', () => {
  const cases: [string, (d: any) => void, RegExp][] = [
    ['an unknown key', (d) => (d.workload.agnets = 3), /workload\.agnets: unknown key/],
    ['a duration without a unit', (d) => (d.llm.latency.ttft = 400), /llm\.latency\.ttft: a duration needs a unit/],
    ['a wrong unit', (d) => (d.relay.processing = { dist: 'constant', value: '200 parsecs' }), /relay\.processing\.value: '200 parsecs' is not a duration/],
    ['a negative probability', (d) => (d.faults[1].probability = -0.1), /faults\[1\]\.probability: must be between 0 and 1/],
    ['a tool the server lacks', (d) => d.workflow.tools.push('wire.transfer'), /workflow\.tools\[4\]: unknown tool 'wire\.transfer'/],
    ['a fault on a tool the server lacks', (d) => (d.faults[0].tool = 'risk.scroe'), /faults\[0\]\.tool: unknown tool 'risk\.scroe'/],
    ['maxAttempts below 1', (d) => (d.policies[1].retry.maxAttempts = 0), /policies\[1\]\.retry\.maxAttempts: must be ≥ 1 \(it counts the first attempt\)/],
    ['an unknown preset', (d) => (d.policies[0].preset = 'nope'), /policies\[0\]\.preset: unknown preset 'nope'/],
    ['a bad threshold', (d) => (d.thresholds['seed-guidance'] = ['workflow.p(95) <']), /thresholds\.seed-guidance\[0\]/],
    ['a lognormal with p99 below its median', (d) => (d.network.agentToRelay.latency.p99 = '100ms'), /network\.agentToRelay\.latency\.p99: p99 must be greater than median/],
    ['an unknown distribution', (d) => (d.llm.outputTokensPerTurn.dist = 'gaussian'), /llm\.outputTokensPerTurn\.dist: dist must be one of/],
  ];
  for (const [what, mutate, pattern] of cases) {
    it(`names the file and field path for ${what}`, async () => {
      const d = reference();
      mutate(d);
      const file = write('bad.yaml', stringify(d));
      await expectBad(['run', file, '--out', join(dir, 'out')], new RegExp(`${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: `));
      expect(err).toMatch(pattern);
      expect(readdirSync(dir)).toEqual(['bad.yaml']); // nothing written
    });
  }

  it('reports an empty file', async () => {
    const file = write('empty.yaml', '\n  \n');
    await expectBad(['run', file], /empty\.yaml: is empty/);
  });

  it('reports a file that is not YAML, with its line', async () => {
    const file = write('broken.yaml', 'name: x\nworkload: {agents: 3\n');
    await expectBad(['validate', file], /broken\.yaml: not valid YAML: .*line \d+/);
  });

  it('reports a YAML file that is not a mapping', async () => {
    const file = write('list.yaml', '- a\n- b\n');
    await expectBad(['validate', file], /list\.yaml: must be a YAML mapping/);
  });

  it('reports a missing file', async () => {
    await expectBad(['validate', join(dir, 'nope.yaml')], /nope\.yaml: no such file/);
  });

  it('reports a bad shard and a bad seed', async () => {
    await expectBad(['run', 'scenarios/thirty-call.yaml', '--shard', '5/4'], /--shard: '5\/4' is not a shard/);
    err = '';
    await expectBad(['run', 'scenarios/thirty-call.yaml', '--seed', 'abc'], /--seed: 'abc' is not a seed/);
  });

  it('reports an unknown policy name', async () => {
    await expectBad(['run', 'scenarios/thirty-call.yaml', '--policy', 'nope'], /--policy: no policy named 'nope'/);
  });

  it('reports an unknown command or flag as usage', async () => {
    await expectBad(['runn', 'x'], /error: /);
  });
});

describe('tunnelsim validate', () => {
  it('accepts every bundled scenario', async () => {
    for (const f of readdirSync('scenarios').filter((f) => f.endsWith('.yaml'))) {
      out = '';
      expect(await main(['validate', join('scenarios', f)])).toBe(0);
      expect(out).toMatch(/^ok: /);
    }
  });
});
