import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { TunnelsimError } from '../../errors.js';
import { loadScenario } from '../../scenario/load.js';
import { loadWorkflowModule } from '../../run/module.js';
import { runSim, type Shard } from '../../run/sim.js';
import { autoWorkers, PARALLEL_CALLS, runSimOnWorkers } from '../../run/sim-workers.js';
import { reportBlocks } from '../../report/blocks.js';
import { terminalTable } from '../../report/terminal.js';
import { colorEnabled, progressEnabled } from '../output.js';
import { ProgressLine } from '../progress.js';
import { checkOutDir, parseCount, parseSeed } from '../flags.js';
import type { Command } from './types.js';
import { DEFAULT_OTLP_WORKFLOWS } from '../../run/span-capture.js';
import { simOtlpJsonl, type SimWorldSpans } from '../../report/otlp-sim.js';

export function parseShard(text: string | undefined): Shard | undefined {
  if (text === undefined) return undefined;
  const m = /^(\d+)\/(\d+)$/.exec(text);
  const index = m ? Number(m[1]) : NaN;
  const count = m ? Number(m[2]) : NaN;
  if (!m || count < 1 || index < 1 || index > count) throw new TunnelsimError('BAD_INPUT', `'${text}' is not a shard: use i/n with 1 ≤ i ≤ n, e.g. 2/4`, { field: '--shard' });
  return { index, count };
}

export function parseReplications(v: unknown): number | undefined {
  if (v === undefined) return undefined;
  const text = String(v).trim();
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < 1 || n > 1000) throw new TunnelsimError('BAD_INPUT', `'${v}' is not a replication count: use an integer from 1 to 1000`, { field: '--replications' });
  return n;
}

export const FORMATS = ['json', 'md', 'html', 'hdrlog', 'otlp'] as const;

export function parseFormats(v: string): string[] {
  const fs = v.split(',').map((s) => s.trim()).filter(Boolean);
  for (const f of fs) if (!(FORMATS as readonly string[]).includes(f)) throw new TunnelsimError('BAD_INPUT', `unknown format '${f}' (use ${FORMATS.join(', ')})`, { field: '--format' });
  return fs;
}

export const runCommand: Command = {
  command: 'run <scenario>',
  describe: 'simulate a scenario under every policy and write the report',
  builder: (y) =>
    y
      .positional('scenario', { type: 'string', describe: 'scenario YAML file', demandOption: true })
      .option('seed', { type: 'string', describe: "override the scenario's seed" })
      .option('replications', { type: 'string', describe: "override the scenario's replications (default 5: each headline figure gets a 95% interval)" })
      .option('policy', { type: 'string', array: true, describe: 'run only this policy (repeatable)' })
      .option('out', { type: 'string', default: 'reports', describe: 'output directory' })
      .option('format', { type: 'string', default: 'json', describe: 'comma-separated: json,md,html,hdrlog,otlp' })
      .option('otlp-workflows', { type: 'string', default: String(DEFAULT_OTLP_WORKFLOWS), describe: 'workflows per world that --format otlp writes as traces' })
      .option('shard', { type: 'string', describe: 'run shard i of n (i/n); merge the shards with `tunnelsim merge`' })
      .option('workers', {
        type: 'string',
        describe: `worker threads the worlds run on; by default one per core for a run of 2 worlds or more and ${PARALLEL_CALLS.toLocaleString('en-US')} expected calls or more, else 1 (this thread). The report is the same for any number`,
      }),
  handler: async (args) => {
    const shard = parseShard(args.shard);
    const seed = parseSeed(args.seed);
    const replications = parseReplications(args.replications);
    checkOutDir(args.out);
    const formats = parseFormats(args.format);
    const otlpWorkflows = parseCount(args['otlp-workflows'], '--otlp-workflows', 'a workflow count') ?? DEFAULT_OTLP_WORKFLOWS;
    const sc = loadScenario(args.scenario);
    const module = await loadWorkflowModule(sc);
    let line: ProgressLine | undefined;
    const progress = progressEnabled()
      ? (done: number, total: number) => {
          line ??= new ProgressLine(total);
          line.update(done);
        }
      : undefined;
    const spans = formats.includes('otlp') ? { maxWorkflows: otlpWorkflows, worlds: [] as SimWorldSpans[] } : undefined;
    const workers = parseCount(args.workers, '--workers', 'a worker count') ?? autoWorkers(sc, replications, availableParallelism());
    // Spans are captured on the thread a world runs on, and a shard or a policy subset is a part of
    // the run's worlds: those run here.
    const report =
      workers > 1 && !spans && !shard && !args.policy
        ? await runSimOnWorkers(args.scenario, sc, { workers, seed, replications, onTask: progress })
        : runSim(sc, {
            spans,
            seed,
            replications,
            policies: args.policy,
            shard,
            module,
            // Simulated-time progress inside each world, and each world's end.
            onProgress: progress,
            onWorld: progress,
          });
    const base = shard ? `${sc.name}.shard-${shard.index}-of-${shard.count}` : sc.name;
    const written: string[] = [];
    const { writeReportFiles, applyThresholds } = await import('../report-io.js');
    const failed = shard ? [] : applyThresholds(report, report.scenario.thresholds);
    const otlp = spans && simOtlpJsonl({ scenario: sc.name, seed: report.seed, version: report.tool.version }, spans.worlds);
    written.push(...(await writeReportFiles(report, args.out, base, formats, otlp)));
    process.stdout.write(`${terminalTable(report, colorEnabled())}\n`);
    for (const t of report.thresholds) process.stdout.write(`${t.ok ? 'ok  ' : 'FAIL'} ${t.policy}: ${t.message ?? t.expression}\n`);
    for (const block of reportBlocks(report)) process.stdout.write(`${block}\n`);
    process.stdout.write(`wrote ${written.map((f) => join(f)).join(', ')}\n`);
    return failed.length > 0 ? 1 : 0;
  },
};
