/**
 * The files users copy into their CI and clusters are known to be valid: the composite action and
 * the workflows pass @action-validator/cli (GitHub's schemas, offline, from the npm package), the
 * Kubernetes Jobs pass kubernetes-models' schema validation, the action's steps run and gate as
 * documented, and the Indexed Job's per-index command, run here for two indexes, writes shards
 * that merge — with the merge Job's own command — into exactly the unsharded report.
 */
import { execFile } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments, stringify } from 'yaml';
import { Job } from 'kubernetes-models/batch/v1/Job';
import { writeReports } from '../../src/report/write.js';
import { runSim } from '../../src/run/sim.js';
import { loadScenario } from '../../src/scenario/load.js';
import { runCompositeAction } from './action-runner.js';

const run = promisify(execFile);
const ROOT = resolve('.');
const VALIDATOR = join(ROOT, 'node_modules/@action-validator/cli/cli.mjs');

async function validate(file: string): Promise<{ code: number; out: string }> {
  try {
    const r = await run(process.execPath, [VALIDATOR, file]);
    return { code: 0, out: r.stdout + r.stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, out: e.stdout + e.stderr };
  }
}

/** A directory with `npx` and `bin/tunnelsim.js` that run this checkout's CLI from source (no build needed). */
function shims(): string {
  const dir = mkdtempSync(join(tmpdir(), 'tunnelsim-shim-'));
  mkdirSync(join(dir, 'bin'));
  const entry = `import { tsImport } from ${JSON.stringify(join(ROOT, 'node_modules/tsx/dist/esm/api/index.mjs'))};\nconst { main } = await tsImport(${JSON.stringify(join(ROOT, 'src/cli/main.ts'))}, import.meta.url);\nprocess.exitCode = await main(process.argv.slice(2));\n`;
  writeFileSync(join(dir, 'bin', 'tunnelsim.js'), entry);
  // `npx tunnelsim ARGS` as the Job and the workflows write it.
  writeFileSync(join(dir, 'bin', 'npx'), `#!/bin/sh\n[ "$1" = tunnelsim ] || { echo "npx shim: only tunnelsim" >&2; exit 127; }\nshift\nexec ${JSON.stringify(process.execPath)} ${JSON.stringify(join(dir, 'bin', 'tunnelsim.js'))} "$@"\n`);
  chmodSync(join(dir, 'bin', 'npx'), 0o755);
  return dir;
}

/** A file's YAML without its leading comment lines: what the docs quote. */
function body(file: string): string {
  const lines = readFileSync(file, 'utf8').split('\n');
  while (lines[0]?.startsWith('#')) lines.shift();
  return lines.join('\n').trim();
}

describe('deploy/ files', () => {
  it('are what the docs quote', () => {
    const docs = readFileSync('docs/scale-out.md', 'utf8');
    expect(docs).toContain(body('deploy/github/scale-out.yml'));
    expect(docs).toContain(body('deploy/kubernetes/shard-job.yaml'));
    expect(readFileSync('docs/ci.md', 'utf8')).toContain(body('deploy/github/compare.yml'));
  });
});

describe('GitHub Actions files', () => {
  it('pass @action-validator/cli, which fails a broken copy', async () => {
    for (const f of ['action.yml', 'deploy/github/scale-out.yml', 'deploy/github/compare.yml']) {
      const r = await validate(f);
      expect(r.code, `${f}: ${r.out}`).toBe(0);
    }
    const dir = mkdtempSync(join(tmpdir(), 'tunnelsim-action-bad-'));
    const broken = parse(readFileSync('action.yml', 'utf8'));
    broken.runs.steps[1].shel = broken.runs.steps[1].shell;
    delete broken.runs.steps[1].shell;
    writeFileSync(join(dir, 'action.yml'), stringify(broken));
    expect((await validate(join(dir, 'action.yml'))).code).not.toBe(0);
  });

  it('the composite action runs the scenario, writes the comparison to the job summary and fails on regression', async () => {
    const work = mkdtempSync(join(tmpdir(), 'tunnelsim-action-'));
    const data = parse(readFileSync('scenarios/thirty-call.yaml', 'utf8'));
    data.workload = { model: 'open', arrivalRate: 2, workflows: 120 };
    delete data.thresholds;
    data.llm.pricing = { source: 'test prices', inputPerMTok: 3, outputPerMTok: 15 };
    writeFileSync(join(work, 'scenario.yaml'), stringify(data));
    await writeReports(runSim(loadScenario(join(work, 'scenario.yaml'))), { out: join(work, 'baselines'), formats: ['json'], basename: 'base' });
    const actionPath = shims();
    const inputs = { scenario: 'scenario.yaml', baseline: 'baselines/base.json', install: 'false' };

    const same = await runCompositeAction('action.yml', { inputs, actionPath, workspace: work, tmp: mkdtempSync(join(tmpdir(), 'tunnelsim-gh-')) });
    expect(same.code, same.log).toBe(0);
    expect(same.outputs.regressed).toBe('false');
    expect(same.outputs.report).toBe('tunnelsim-report/current/thirty-call.json');
    expect(same.summary).toContain('**No regression**');
    expect(same.summary).toContain('No checked figure moved');

    // The agent link 40 % slower: tails regress, and the summary charts what moved.
    data.network.agentToRelay.latency = { dist: 'lognormal', median: '250ms', p99: '1260ms' };
    writeFileSync(join(work, 'scenario.yaml'), stringify(data));
    const slow = await runCompositeAction('action.yml', { inputs: { ...inputs, thresholds: 'workflow.p(95) <= +5%\n\ncall{tool:*}.p(99) <= +5%\n' }, actionPath, workspace: work, tmp: mkdtempSync(join(tmpdir(), 'tunnelsim-gh-')) });
    expect(slow.code).toBe(1);
    expect(slow.log).toContain('::error title=tunnelsim::');
    expect(slow.summary).toMatch(/\*\*Regression\*\*: \d+ of \d+ checks failed/);
    expect(slow.summary).toContain('```text\nworkflow.p(95)\n');
    expect(slow.summary).toMatch(/current {2}█+.* FAIL/);
    // Only the checks asked for ran: 1 workflow check + 4 tools, per policy.
    expect(slow.summary).not.toContain('successRate');
    expect(readFileSync(join(work, 'tunnelsim-report/compare-junit.xml'), 'utf8')).toContain('<failure type="regression"');

    const report = await runCompositeAction('action.yml', { inputs: { ...inputs, 'fail-on-regression': 'false' }, actionPath, workspace: work, tmp: mkdtempSync(join(tmpdir(), 'tunnelsim-gh-')) });
    expect(report.code).toBe(0);
    expect(report.outputs.regressed).toBe('true');
  });
});

describe('the Kubernetes Indexed Job', () => {
  const docs = parseAllDocuments(readFileSync('deploy/kubernetes/shard-job.yaml', 'utf8')).map((d) => d.toJS() as Record<string, any>);

  it('passes kubernetes-models’ schema validation, which fails a broken copy', () => {
    expect(docs).toHaveLength(2);
    for (const d of docs) expect(() => new Job(d as ConstructorParameters<typeof Job>[0]).validate()).not.toThrow();
    expect(docs[0].spec.completionMode).toBe('Indexed');
    const broken = structuredClone(docs[0]);
    broken.spec.completions = 'four';
    expect(() => new Job(broken as ConstructorParameters<typeof Job>[0]).validate()).toThrow(/completions/);
  });

  it('writes mergeable shards: its command for two indexes, merged by the merge Job’s command, is the unsharded report', async () => {
    const [shardJob, mergeJob] = docs;
    const completions = shardJob.spec.completions as number;
    const container = shardJob.spec.template.spec.containers[0];
    const mount = container.volumeMounts[0].mountPath as string;
    const shards = mkdtempSync(join(tmpdir(), 'tunnelsim-k8s-shards-'));
    // What the volume does: the pod's mount path is this directory.
    const command = (c: { args: string[] }) => c.args[0].replaceAll(mount, shards);
    const bin = join(shims(), 'bin');
    const env = { ...process.env, PATH: `${bin}:${process.env.PATH}`, CI: 'true' };
    expect(container.command).toEqual(['sh', '-c']);
    await Promise.all([0, 1].map((index) => run('sh', ['-c', command(container)], { cwd: ROOT, env: { ...env, JOB_COMPLETION_INDEX: String(index) } })));
    const sc = loadScenario('scenarios/thirty-call.yaml');
    const files = (i: number) => join(shards, `${sc.name}.shard-${i}-of-${completions}.json`);
    for (const i of [1, 2]) expect(JSON.parse(readFileSync(files(i), 'utf8')).shard).toBe(`${i}/${completions}`);
    // The other indexes' pods, in this process: the same shards their command would write.
    for (let i = 3; i <= completions; i++) await writeReports(runSim(sc, { shard: { index: i, count: completions } }), { out: shards, formats: ['json'], basename: `${sc.name}.shard-${i}-of-${completions}` });
    await run('sh', ['-c', command(mergeJob.spec.template.spec.containers[0])], { cwd: ROOT, env }).catch((err: { code: number }) => {
      // merge evaluates the scenario's thresholds; exit 1 is a failed threshold, not a failed merge.
      if (err.code !== 1) throw err;
    });
    const full = join(shards, 'full');
    const report = runSim(sc);
    const { applyThresholds } = await import('../../src/cli/report-io.js');
    applyThresholds(report, report.scenario.thresholds);
    await writeReports(report, { out: full, formats: ['json'], basename: sc.name });
    expect(readFileSync(join(shards, `${sc.name}.json`), 'utf8')).toBe(readFileSync(join(full, `${sc.name}.json`), 'utf8'));
  });
});
