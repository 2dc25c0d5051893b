/**
 * The bench file (`schema: "tunnelsim.bench/v1"`), written by `tunnelsim bench` and read by
 * `tunnelsim compare`. Absolute timings depend on the machine, so CI gates the `ratios`: two
 * tasks measured side by side in one run on one machine, where the machine cancels out.
 */

export const BENCH_SCHEMA = 'tunnelsim.bench/v1';

/** One measured task. */
export interface BenchResult {
  /** Median of the samples, in `unit`. */
  median: number;
  /** `ns/op`, `ops/s`, `attempts/s`, … */
  unit: string;
  samples: number;
  /** Relative margin of error of the mean, in percent. */
  rme?: number;
  p99?: number;
  mean?: number;
  /** The smallest and the largest sample: the spread a median of few whole-process runs hides on a noisy machine. */
  min?: number;
  max?: number;
}

export interface BenchFile {
  schema: typeof BENCH_SCHEMA;
  tool: { name: 'tunnelsim'; version: string };
  machine: { cpus: number; model: string; node: string; platform: string; arch: string };
  quick: boolean;
  /** By `suite.task`. */
  results: Record<string, BenchResult>;
  /**
   * By `suite.name`. Convention: higher is better (a throughput over its baseline's throughput),
   * so `compare`'s default gate is `ratios.* >= -50%`.
   */
  ratios: Record<string, number>;
  /**
   * Results and ratios not measured in this run, by `suite.name`, and why — an anchor such as
   * nginx that is not installed. `compare` reports their checks as skipped, not failed, unless a
   * `--threshold` names them.
   */
  skipped?: Record<string, string>;
}
