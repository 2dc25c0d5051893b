import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { sweepTable } from '../../report/sweep.js';
import { readScenarioData } from '../../scenario/load.js';
import { parseSet } from '../../run/sweep-grid.js';
import { runSweep } from '../../run/sweep.js';
import { progressEnabled, writeAtomic } from '../output.js';
import { checkOutDir, parseCount, parseSeed } from '../flags.js';
import type { Command } from './types.js';

/** A one-line progress bar on stderr: `sweep [#######.....] 12/36 tasks`. */
function progressBar(label: string): (done: number, total: number) => void {
  const width = 30;
  return (done, total) => {
    const filled = Math.round((done / total) * width);
    process.stderr.write(`\r${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} tasks${done === total ? '\n' : ''}`);
  };
}

export const sweepCommand: Command = {
  command: 'sweep <scenario>',
  describe: 'run a scenario over a grid of settings (--set key=v1,v2 …) and write one report for the grid',
  builder: (y) =>
    y
      .positional('scenario', { type: 'string', describe: 'scenario YAML file', demandOption: true })
      .option('set', {
        type: 'string',
        array: true,
        demandOption: true,
        describe: 'dotted path=values, repeatable; policies by name: policies.seed-guidance.retry.maxAttempts=1,2,3',
      })
      .option('seed', { type: 'string', describe: "override the scenario's seed" })
      .option('workers', { type: 'string', describe: 'worker threads, one per core by default; 1 runs the sweep on this thread' })
      .option('out', { type: 'string', default: 'reports', describe: 'output directory' }),
  handler: async (args) => {
    const seed = parseSeed(args.seed);
    const workers = parseCount(args.workers, '--workers', 'a worker count') ?? availableParallelism();
    checkOutDir(args.out);
    const axes = (args.set as string[]).map(parseSet);
    const data = readScenarioData(args.scenario);
    const report = await runSweep(args.scenario, data, axes, { workers, seed, onProgress: progressEnabled() ? progressBar('sweep') : undefined });
    const file = join(args.out, `${report.scenario.name}.sweep.json`);
    writeAtomic(file, `${JSON.stringify(report, null, 2)}\n`);
    process.stdout.write(`${sweepTable(report)}\nwrote ${file}\n`);
    return 0;
  },
};
