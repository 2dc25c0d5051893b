import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { runTune } from '../../run/tune.js';
import { tuneSummary, tuneTable } from '../../report/tune.js';
import { progressEnabled, writeAtomic } from '../output.js';
import { scenarioInput, share } from '../scenario-input.js';
import { checkOutDir, parseCount, parseSeed } from '../flags.js';
import type { Command } from './types.js';

export const tuneCommand: Command = {
  command: 'tune <scenario>',
  describe: 'search timeouts, retries, backoff and breaker for the cheapest policy that meets the SLO',
  builder: (y) =>
    y
      .positional('scenario', { type: 'string', describe: 'scenario YAML file', demandOption: true })
      .option('objective', { type: 'string', default: 'cost.perCompletedWorkflow', describe: 'report figure to minimise, e.g. cost.perCompletedWorkflow, workflow.p(95)' })
      .option('maximize', { type: 'boolean', default: false, describe: 'maximise the objective instead' })
      .option('slo', { type: 'string', array: true, default: [], describe: 'SLO in threshold grammar (repeatable: all must hold)' })
      .option('min-success', { type: 'number', default: 0.95, describe: 'also require this share of workflows to complete (0 to turn off)' })
      .option('seed', { type: 'string', describe: "override the scenario's seed" })
      .option('workers', { type: 'string', describe: 'worker threads the candidates run on, one per core by default; 1 runs them on this thread' })
      .option('out', { type: 'string', default: 'reports', describe: 'output directory for the JSON' }),
  handler: async (args) => {
    share(args.minSuccess, '--min-success');
    const workers = parseCount(args.workers, '--workers', 'a worker count') ?? availableParallelism();
    checkOutDir(args.out);
    const { sc, module, data: base } = await scenarioInput(args.scenario);
    const progress = progressEnabled();
    const report = await runTune(args.scenario, base, {
      objective: args.objective,
      maximize: args.maximize,
      slo: args.slo,
      minSuccess: args.minSuccess,
      seed: parseSeed(args.seed),
      workers,
      module,
      onCandidate: progress ? (label, v, ok) => process.stderr.write(`  ${label}: ${v ?? '—'}${ok ? '' : ' (misses the SLO)'}\n`) : undefined,
    });
    const file = join(args.out, `${sc.name}.tune.json`);
    writeAtomic(file, `${JSON.stringify(report, null, 2)}\n`);
    process.stdout.write(`${tuneSummary(report)}\n\n${tuneTable(report)}\n`);
    if (report.policyYaml) process.stdout.write(`\npaste into the scenario:\n${report.policyYaml}`);
    process.stdout.write(`wrote ${file}\n`);
    return report.best ? 0 : 1;
  },
};
