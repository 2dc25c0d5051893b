import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { TunnelsimError } from '../../errors.js';
import { runCapacity } from '../../run/capacity.js';
import { capacityHtml, capacitySummary, capacityTable } from '../../report/capacity.js';
import { progressEnabled, writeAtomic } from '../output.js';
import { scenarioInput, share } from '../scenario-input.js';
import { checkOutDir, parseCount, parseSeed } from '../flags.js';
import type { Command } from './types.js';

export const capacityCommand: Command = {
  command: 'capacity <scenario>',
  describe: 'find the largest load (or smallest pool) that meets an SLO, with the load curve and its knee',
  builder: (y) =>
    y
      .positional('scenario', { type: 'string', describe: 'scenario YAML file', demandOption: true })
      .option('slo', { type: 'string', array: true, demandOption: true, describe: 'SLO in threshold grammar, e.g. "workflow.p(95) < 30s" (repeatable: all must hold)' })
      .option('vary', { type: 'string', demandOption: true, describe: 'scenario key to vary, e.g. workload.arrivalRate, workload.agents, server.concurrency' })
      .option('policy', { type: 'string', describe: "the policy to plan for (default: the scenario's first)" })
      .option('min-success', { type: 'number', default: 0.95, describe: 'also require this share of workflows to complete (0 to turn off)' })
      .option('find', { choices: ['largest', 'smallest'] as const, default: 'largest', describe: 'largest for a load, smallest for a resource' })
      .option('tolerance', { type: 'number', default: 0.02, describe: 'relative width of the final bracket' })
      .option('seed', { type: 'string', describe: "override the scenario's seed" })
      .option('workers', { type: 'string', describe: 'worker threads the probes run on, one per core by default; 1 runs them on this thread' })
      .option('out', { type: 'string', default: 'reports', describe: 'output directory' })
      .option('format', { type: 'string', default: 'json,html', describe: 'comma-separated: json,html' }),
  handler: async (args) => {
    const formats = String(args.format).split(',').map((s: string) => s.trim()).filter(Boolean);
    for (const f of formats) if (f !== 'json' && f !== 'html') throw new TunnelsimError('BAD_INPUT', `unknown format '${f}' (use json, html)`, { field: '--format' });
    share(args.minSuccess, '--min-success');
    const workers = parseCount(args.workers, '--workers', 'a worker count') ?? availableParallelism();
    checkOutDir(args.out);
    if (!(args.tolerance > 0 && args.tolerance < 1)) throw new TunnelsimError('BAD_INPUT', 'must be between 0 and 1', { field: '--tolerance' });
    const { sc, data: base } = await scenarioInput(args.scenario);
    const progress = progressEnabled();
    const report = await runCapacity(args.scenario, base, {
      vary: args.vary,
      slo: args.minSuccess > 0 ? [...args.slo, `workflows.successRate >= ${args.minSuccess}`] : args.slo,
      policy: args.policy,
      find: args.find,
      tolerance: args.tolerance,
      seed: parseSeed(args.seed),
      workers,
      onPoint: progress ? (v, ok) => process.stderr.write(`  ${args.vary} = ${v}: ${ok ? 'meets' : 'misses'} the SLO\n`) : undefined,
    });
    const written: string[] = [];
    if (formats.includes('json')) {
      const file = join(args.out, `${sc.name}.capacity.json`);
      writeAtomic(file, `${JSON.stringify(report, null, 2)}\n`);
      written.push(file);
    }
    if (formats.includes('html')) {
      const file = join(args.out, `${sc.name}.capacity.html`);
      writeAtomic(file, await capacityHtml(report));
      written.push(file);
    }
    process.stdout.write(`${capacitySummary(report)}\n\n${capacityTable(report)}\nwrote ${written.join(', ')}\n`);
    return report.capacity === null ? 1 : 0;
  },
};
