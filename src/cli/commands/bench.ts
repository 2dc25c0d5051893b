/** `tunnelsim bench`: runs the benchmark suites and writes the bench JSON that `compare` reads. */
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { TunnelsimError } from '../../errors.js';
import { SUITE_NAMES } from '../../bench/suite-names.js';
import type { BenchFile } from '../../bench/types.js';
import type { Command } from './types.js';

export const benchCommand: Command = {
  command: 'bench',
  describe: 'run the benchmark suites (tinybench) and write bench JSON',
  builder: (y) =>
    y
      .option('out', { type: 'string', describe: 'write the bench JSON to FILE and print a summary (default: the JSON on stdout when piped, the summary on a terminal)' })
      .option('quick', { type: 'boolean', default: false, describe: 'short runs, for CI smoke checks' })
      .option('suite', { type: 'string', array: true, describe: `run only these suites (${SUITE_NAMES.join(', ')})` }),
  handler: async (args: { out?: string; quick: boolean; suite?: string[] }) => {
    const quiet = process.env.CI === 'true' || !process.stderr.isTTY;
    let file: BenchFile;
    // The suites load the relay and live stacks: only this command pays for them.
    const { runBench } = await import('../../bench/runner.js');
    const { suites } = await import('../../bench/suites.js');
    try {
      file = await runBench(suites, {
        quick: args.quick,
        only: args.suite,
        onSuite: (name) => {
          if (!quiet) process.stderr.write(`bench: ${name}\n`);
        },
      });
    } catch (e) {
      if (e instanceof RangeError) throw new TunnelsimError('BAD_INPUT', e.message, { field: '--suite' });
      throw e;
    }
    const json = `${JSON.stringify(file, null, 2)}\n`;
    if (!args.out) {
      // Piped, the JSON is the output; on a terminal a person reads the summary instead.
      process.stdout.write(process.stdout.isTTY ? `${summary(file)}(add --out FILE to keep the bench JSON)\n` : json);
      return 0;
    }
    await mkdir(dirname(args.out), { recursive: true });
    const tmp = `${args.out}.tmp-${process.pid}`;
    await writeFile(tmp, json);
    await rename(tmp, args.out);
    process.stdout.write(summary(file));
    return 0;
  },
};

function summary(file: BenchFile): string {
  const lines = [`${file.machine.model}, ${file.machine.cpus} cpus, node ${file.machine.node}`];
  const width = Math.max(32, ...[...Object.keys(file.results), ...Object.keys(file.ratios)].map((n) => n.length));
  for (const [name, r] of Object.entries(file.results)) {
    const p99 = r.p99 === undefined ? '' : `, p99 ${r.p99.toPrecision(4)} ${r.unit}`;
    const range = r.min === undefined || r.max === undefined ? '' : `, ${r.min.toPrecision(4)}–${r.max.toPrecision(4)}`;
    lines.push(`  ${name.padEnd(width)} ${r.median.toPrecision(4).padStart(10)} ${r.unit}  (${r.samples} samples${p99}${range})`);
  }
  for (const [name, v] of Object.entries(file.ratios)) lines.push(`  ${name.padEnd(width)} ${v.toPrecision(4).padStart(10)} ×`);
  return `${lines.join('\n')}\n`;
}
