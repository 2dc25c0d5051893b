import { mergeReports, readReport } from '../../run/merge.js';
import { terminalTable } from '../../report/terminal.js';
import { applyThresholds } from '../report-io.js';
import { colorEnabled, writeAtomic } from '../output.js';
import type { Command } from './types.js';

export const mergeCommand: Command = {
  command: 'merge <reports..>',
  describe: 'merge shard reports of one run into the report of the whole run',
  builder: (y) =>
    y
      .positional('reports', { type: 'string', array: true, describe: 'shard report JSON files', demandOption: true })
      .option('out', { type: 'string', describe: 'write the merged report here (default: print the table only)' }),
  handler: async (args) => {
    const files: string[] = args.reports;
    const merged = mergeReports(files.map((file) => ({ file, report: readReport(file) })));
    const failed = applyThresholds(merged, merged.scenario.thresholds).length;
    if (args.out) writeAtomic(args.out, `${JSON.stringify(merged, null, 2)}\n`);
    process.stdout.write(`${terminalTable(merged, colorEnabled())}\n`);
    for (const t of merged.thresholds) process.stdout.write(`${t.ok ? 'ok  ' : 'FAIL'} ${t.policy}: ${t.message ?? t.expression}\n`);
    if (args.out) process.stdout.write(`wrote ${args.out}\n`);
    return failed > 0 ? 1 : 0;
  },
};
