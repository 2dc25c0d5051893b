/** `tunnelsim compare <baseline> <current>`: the regression gate; exit 1 when a check fails. */
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { compare, toComparable } from '../../report/compare.js';
import { compareJUnit, compareTable } from '../../report/compare-output.js';
import { readJsonFile } from '../../report/read.js';
import { compareMarkdown } from '../../report/compare-markdown.js';
import type { Command } from './types.js';

async function writeFileAtomic(file: string, text: string): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}`;
  await writeFile(tmp, text);
  await rename(tmp, file);
}

export const compareCommand: Command = {
  command: 'compare <baseline> <current>',
  describe: 'compare a report or bench file with a baseline; exit 1 on regression',
  builder: (y) =>
    y
      .positional('baseline', { type: 'string', describe: 'baseline report.json or bench.json' })
      .positional('current', { type: 'string', describe: 'current report.json or bench.json' })
      .option('threshold', {
        type: 'string',
        array: true,
        describe: "a check, absolute ('workflow.p(95) < 30s') or relative ('workflow.p(99) <= +10%'); repeatable. Default: see docs/reports.md",
      })
      .option('junit', { type: 'string', describe: 'also write the checks as JUnit XML to FILE' })
      .option('markdown', { type: 'string', describe: 'also write the verdict, the checks and a chart of each figure that moved as Markdown to FILE (a CI job summary)' }),
  handler: async (args: { baseline: string; current: string; threshold?: string[]; junit?: string; markdown?: string }) => {
    const baseline = toComparable(await readJsonFile(args.baseline), args.baseline);
    const current = toComparable(await readJsonFile(args.current), args.current);
    if (baseline.kind === 'report' && current.kind === 'report') {
      const [b, c] = [baseline.report, current.report];
      // Allowed (sim baseline vs live run is the calibration story), but worth saying.
      if (b.scenario.name !== c.scenario.name || b.mode !== c.mode) {
        process.stderr.write(`note: comparing ${b.mode} '${b.scenario.name}' with ${c.mode} '${c.scenario.name}'\n`);
      }
    }
    const result = compare(baseline, current, args.threshold ?? []);
    process.stdout.write(compareTable(result));
    if (args.junit) await writeFileAtomic(args.junit, compareJUnit(result));
    if (args.markdown) {
      const title = baseline.kind === 'report' ? `tunnelsim: ${baseline.report.scenario.name}` : 'tunnelsim bench';
      await writeFileAtomic(args.markdown, compareMarkdown(result, { title, baseline: args.baseline, current: args.current }));
    }
    if (!result.ok) {
      process.stderr.write(`error: ${result.failed} of ${result.checks.length} checks regressed against ${args.baseline}\n`);
      return 1;
    }
    return 0;
  },
};
