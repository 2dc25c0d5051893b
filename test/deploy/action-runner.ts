/**
 * Runs a composite action's `run` steps the way the GitHub runner does, for the expressions our
 * action.yml uses and no others: `${{ inputs.X }}`, `${{ github.action_path }}`,
 * `${{ steps.ID.outputs.Y }}`, and `if:` conditions made of `A == 'lit'` joined by `&&`. Each step
 * runs in `bash -e` with its `env:`, `GITHUB_OUTPUT` and `GITHUB_STEP_SUMMARY` files; an expression
 * it does not know is an error, so the test cannot pass by skipping something it misread.
 */
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'yaml';

const run = promisify(execFile);

interface Step {
  id?: string;
  name?: string;
  if?: string;
  shell?: string;
  run?: string;
  env?: Record<string, string>;
  'working-directory'?: string;
}

export interface ActionRun {
  code: number;
  outputs: Record<string, string>;
  summary: string;
  log: string;
}

export async function runCompositeAction(actionFile: string, o: { inputs: Record<string, string>; actionPath: string; workspace: string; tmp: string; env?: Record<string, string> }): Promise<ActionRun> {
  const action = parse(readFileSync(actionFile, 'utf8')) as { inputs: Record<string, { default?: string }>; outputs: Record<string, { value: string }>; runs: { using: string; steps: Step[] } };
  if (action.runs.using !== 'composite') throw new Error('not a composite action');
  const inputs: Record<string, string> = {};
  for (const [k, v] of Object.entries(action.inputs)) inputs[k] = o.inputs[k] ?? v.default ?? '';
  const steps: Record<string, Record<string, string>> = {};
  const summary = join(o.tmp, 'summary.md');
  writeFileSync(summary, '');
  const value = (expr: string): string => {
    const e = expr.trim();
    let m = /^inputs\.([\w-]+)$/.exec(e);
    if (m) return inputs[m[1]] ?? '';
    if (e === 'github.action_path') return o.actionPath;
    m = /^steps\.([\w-]+)\.outputs\.([\w-]+)$/.exec(e);
    if (m) return steps[m[1]]?.[m[2]] ?? '';
    throw new Error(`expression not supported by the test runner: ${e}`);
  };
  const subst = (s: string) => s.replace(/\$\{\{([^}]*)\}\}/g, (_, e: string) => value(e));
  const holds = (cond: string) =>
    cond.split('&&').every((part) => {
      const m = /^\s*([\w.-]+)\s*==\s*'([^']*)'\s*$/.exec(part);
      if (!m) throw new Error(`condition not supported by the test runner: ${part}`);
      return value(m[1]) === m[2];
    });
  let log = '';
  for (const [i, step] of action.runs.steps.entries()) {
    if (step.if !== undefined && !holds(step.if)) continue;
    if (step.run === undefined) throw new Error(`step ${i} is not a run step`);
    if (step.shell !== 'bash') throw new Error(`step ${i}: shell must be bash`);
    const output = join(o.tmp, `output-${i}`);
    writeFileSync(output, '');
    const env = { ...process.env, ...o.env, GITHUB_OUTPUT: output, GITHUB_STEP_SUMMARY: summary, GITHUB_ACTION_PATH: o.actionPath, CI: 'true' } as Record<string, string>;
    for (const [k, v] of Object.entries(step.env ?? {})) env[k] = subst(v);
    const cwd = step['working-directory'] ? subst(step['working-directory']) : o.workspace;
    try {
      const r = await run('bash', ['--noprofile', '--norc', '-e', '-o', 'pipefail', '-c', subst(step.run)], { cwd, env, maxBuffer: 64 << 20 });
      log += r.stdout + r.stderr;
    } catch (err) {
      const e = err as { code?: number; stdout?: string; stderr?: string };
      log += (e.stdout ?? '') + (e.stderr ?? '');
      return { code: typeof e.code === 'number' ? e.code : 1, outputs: {}, summary: readFileSync(summary, 'utf8'), log };
    }
    if (step.id) {
      steps[step.id] = Object.fromEntries(
        readFileSync(output, 'utf8')
          .split('\n')
          .filter((l) => l.includes('='))
          .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
      );
    }
  }
  const outputs = Object.fromEntries(Object.entries(action.outputs).map(([k, v]) => [k, subst(v.value)]));
  return { code: 0, outputs, summary: readFileSync(summary, 'utf8'), log };
}
