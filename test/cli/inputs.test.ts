/**
 * The newcomer's path: every input that used to crash, run forever or quietly mean something else
 * gets one line naming the file or flag, exit 2, and nothing written (issue #19). Each case runs the
 * real CLI entry in-process on a copy of the reference scenario.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { runCli } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'tunnelsim-inputs-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const reference = (): any => parse(readFileSync('scenarios/thirty-call.yaml', 'utf8'));
/** The reference cut to a few workflows, for commands that run before they can find the mistake. */
const tiny = (): any => {
  const d = reference();
  d.workload.workflows = 20;
  d.workflow.steps = 4;
  return d;
};

let n = 0;
function file(content: string | Buffer): string {
  const f = join(dir, `case-${++n}.yaml`);
  writeFileSync(f, content);
  return f;
}
const scenario = (mutate: (d: any) => void, base = reference): string => {
  const d = base();
  mutate(d);
  return file(stringify(d));
};

const bomb = ['a: &a [x, x, x, x, x, x, x, x, x]', ...'bcdefg'.split('').map((k, i) => `${k}: &${k} [${Array(9).fill(`*${'abcdefg'[i]}`).join(', ')}]`), 'h: [*g, *g, *g, *g, *g, *g, *g, *g, *g]', ''].join('\n');

const cases: [string, () => string[], RegExp][] = [
  ['an arrival rate that would take millennia', () => ['run', scenario((d) => (d.workload.arrivalRate = 1e-9))], /workload\.arrivalRate: 2,000 workflows at this arrival rate take [\d,]+ years .*limits\.windows/],
  ['a hundred million replications', () => ['run', scenario((d) => (d.replications = 1e8))], /replications: asks for 3\.0e8 worlds .*limits\.worlds/],
  ['10^15 workflows', () => ['run', scenario((d) => (d.workload.workflows = 1e15))], /workload\.workflows: asks for .* tool calls .*limits\.calls/],
  ['a billion steps', () => ['run', scenario((d) => (d.workflow.steps = 1e9))], /workflow: a workflow takes up to 1\.0e9 steps, more than limits\.steps/],
  ['an arrival rate of 0 with a workflow count', () => ['run', scenario((d) => (d.workload.arrivalRate = 0))], /workload: the arrival rate falls to 0 before 2,000 workflows have arrived/],
  [
    'an arrival rate of 0 for a duration',
    () => ['run', scenario((d) => ((d.workload.arrivalRate = 0), delete d.workload.workflows, (d.workload.duration = '1h')))],
    /workload: starts no workflow/,
  ],
  ['a negative timeout', () => ['run', scenario((d) => (d.policies[1].timeout = '-1s'))], /policies\[1\]\.timeout: '-1s' is not a timeout/],
  ['a misspelt key', () => ['run', scenario((d) => ((d.policies[1].retry.maxAtempts = 3), delete d.policies[1].retry.maxAttempts))], /policies\[1\]\.retry\.maxAtempts: unknown key \(did you mean 'maxAttempts'\?\)$/],
  ['a YAML alias bomb', () => ['run', file(bomb)], /case-\d+\.yaml: not valid YAML: aliases expand more than 100 times/],
  ['bytes that are not UTF-8', () => ['run', file(Buffer.concat([Buffer.from('name: bad-'), Buffer.from([0xff, 0xfe]), Buffer.from('-name\n')]))], /case-\d+\.yaml: is not UTF-8 text: byte 0xff \(line 1, column 11\)/],
  ['a time scale of 1e-9', () => ['live', scenario(() => undefined), '--time-scale', '1e-9'], /--time-scale: 1e-9 is below 0\.001/],
  ['a hexadecimal seed', () => ['run', scenario(() => undefined), '--seed', '0x10'], /--seed: '0x10' is not a seed/],
  ['a seed in exponent form', () => ['run', scenario(() => undefined), '--seed', '1e30'], /--seed: '1e30' is not a seed/],
  ['a seed past 2^53', () => ['run', scenario(() => undefined), '--seed', '9007199254740993'], /--seed: '9007199254740993' is not a seed/],
  ['--out naming a file', () => ['run', scenario(() => undefined), '--out', file('not a directory')], /--out: '.*' is a file, not a directory/],
  ['a misspelt tune objective', () => ['tune', scenario(() => undefined, tiny), '--objective', 'cost.perCompletedWorkflw', '--min-success', '0'], /--objective: 'cost\.perCompletedWorkflw': .*did you mean 'cost\.perCompletedWorkflow'/],
  ['a bad tune SLO', () => ['tune', scenario(() => undefined, tiny), '--slo', 'workflow.p(95) <'], /--slo: /],
  ['a bad capacity SLO', () => ['capacity', scenario(() => undefined, tiny), '--slo', 'workflow.p(95) < 2 parsecs', '--vary', 'workload.arrivalRate'], /--slo: /],
  ['a misspelt command', () => ['rnu', 'x.yaml'], /^error: unknown command 'rnu': did you mean run\?$/],
  ['a worker count that is not a number', () => ['sweep', scenario(() => undefined), '--set', 'seed=1,2', '--workers', 'abc'], /--workers: 'abc' is not a worker count/],
];

describe('bad input on the command line', () => {
  for (const [what, args, pattern] of cases) {
    it(`refuses ${what} with one line and exit 2, writing nothing`, async () => {
      const out = join(dir, `out-${what.replace(/\W+/g, '-')}`);
      const argv = args();
      const r = await runCli(argv.includes('--out') || argv[0] === 'rnu' ? argv : [...argv, '--out', out]);
      expect(r.code, r.err).toBe(2);
      const lines = r.err.trimEnd().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^error: /);
      expect(lines[0]).toMatch(pattern);
      expect(r.err).not.toMatch(/\n\s+at /);
      expect(() => readdirSync(out)).toThrow(); // the output directory was never made
    });
  }

  it('prints its version', async () => {
    const r = await runCli(['--version']);
    expect(r.code).toBe(0);
    expect(r.out.trim()).toBe(JSON.parse(readFileSync('package.json', 'utf8')).version);
  });
});
