/** The benchmark suites' seam; the bench file itself is report/bench-file.ts (compare reads it). */
import type { BenchResult } from '../report/bench-file.js';

export { BENCH_SCHEMA, type BenchFile, type BenchResult } from '../report/bench-file.js';

/** What one suite returns; the runner prefixes its names with the suite name. */
export interface BenchSuiteResult {
  results: Record<string, BenchResult>;
  ratios: Record<string, number>;
  /** Results and ratios not measured this run, by name, and why (an anchor that is not installed). */
  skipped?: Record<string, string>;
}

export interface BenchRunOptions {
  /** Short runs for CI smoke checks: fewer iterations, noisier figures. @default false */
  quick: boolean;
}

/** A registered benchmark suite (see suites.ts). */
export interface BenchSuite {
  name: string;
  run(opts: BenchRunOptions): Promise<BenchSuiteResult>;
}
