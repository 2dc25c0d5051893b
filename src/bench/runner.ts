/**
 * Runs benchmark suites one after another and assembles the bench file: a description of the
 * machine (timings mean nothing without it), each suite's results and ratios under
 * `<suite>.<name>`.
 */
import { createRequire } from 'node:module';
import { cpus, arch, platform } from 'node:os';
import { BENCH_SCHEMA, type BenchFile, type BenchSuite } from './types.js';

export interface RunBenchOptions {
  /** Short runs (CI smoke checks). @default false */
  quick?: boolean;
  /** Run only the suites with these names. @default every suite */
  only?: string[];
  /** Called before each suite, for progress output. */
  onSuite?: (name: string) => void;
}

export const DEFAULT_RUN_BENCH: Required<Omit<RunBenchOptions, 'onSuite' | 'only'>> = { quick: false };

function toolVersion(): string {
  // Two levels up from both src/bench and dist/bench is the package root.
  const pkg = createRequire(import.meta.url)('../../package.json') as { version: string };
  return pkg.version;
}

export async function runBench(suites: BenchSuite[], options: RunBenchOptions = {}): Promise<BenchFile> {
  const { quick } = { ...DEFAULT_RUN_BENCH, ...options };
  const names = suites.map((s) => s.name);
  for (const n of options.only ?? []) {
    if (!names.includes(n)) throw new RangeError(`unknown bench suite '${n}' (suites: ${names.join(', ')})`);
  }
  const selected = options.only ? suites.filter((s) => options.only!.includes(s.name)) : suites;
  const cpu = cpus();
  const file: BenchFile = {
    schema: BENCH_SCHEMA,
    tool: { name: 'tunnelsim', version: toolVersion() },
    machine: { cpus: cpu.length, model: cpu[0]?.model ?? 'unknown', node: process.version, platform: platform(), arch: arch() },
    quick,
    results: {},
    ratios: {},
  };
  for (const suite of selected) {
    options.onSuite?.(suite.name);
    const r = await suite.run({ quick });
    for (const [k, v] of Object.entries(r.results)) file.results[`${suite.name}.${k}`] = v;
    for (const [k, v] of Object.entries(r.ratios)) file.ratios[`${suite.name}.${k}`] = v;
    for (const [k, why] of Object.entries(r.skipped ?? {})) (file.skipped ??= {})[`${suite.name}.${k}`] = why;
  }
  return file;
}
