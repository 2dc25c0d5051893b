/**
 * Measuring a group of tasks side by side with tinybench, for suites to share: every task of a
 * group runs in the same process, one after the other, so their ratio cancels out the machine.
 */
import { Bench } from 'tinybench';
import type { BenchResult, BenchRunOptions } from './types.js';

/** One task: `fn` performs `opsPerCall` operations per call (batching keeps timer overhead out). */
export interface BenchTask {
  fn: () => void;
  /** @default 1 */
  opsPerCall?: number;
}

export interface MeasureOptions {
  /** Measuring time per task in ms. @default 1000 (quick: 100) */
  timeMs: number;
  /** Warm-up time per task in ms, so the JIT has compiled the task. @default 250 (quick: 25) */
  warmupMs: number;
}

export const DEFAULT_MEASURE: MeasureOptions = { timeMs: 1000, warmupMs: 250 };
export const QUICK_MEASURE: MeasureOptions = { timeMs: 100, warmupMs: 25 };

/** Runs the tasks in one tinybench run; each result's median is in ns per operation. */
export async function measure(tasks: Record<string, BenchTask>, run: BenchRunOptions, options: Partial<MeasureOptions> = {}): Promise<Record<string, BenchResult>> {
  const o = { ...(run.quick ? QUICK_MEASURE : DEFAULT_MEASURE), ...options };
  const bench = new Bench({ time: o.timeMs, warmupTime: o.warmupMs, iterations: run.quick ? 16 : 64, throws: true });
  for (const [name, task] of Object.entries(tasks)) bench.add(name, task.fn);
  await bench.run();
  const out: Record<string, BenchResult> = {};
  for (const t of bench.tasks) {
    const r = t.result;
    if (r.state !== 'completed') throw new Error(`bench task ${t.name} did not complete (${r.state})`);
    const ops = tasks[t.name].opsPerCall ?? 1;
    const toNs = 1e6 / ops;
    out[t.name] = {
      median: r.latency.p50 * toNs,
      unit: 'ns/op',
      samples: r.latency.samplesCount,
      rme: r.latency.rme,
      mean: r.latency.mean * toNs,
      p99: r.latency.p99 * toNs,
    };
  }
  return out;
}

/** How many times faster `task` is than `baseline` (> 1: faster): the baseline's ns/op over the task's. */
export function speedRatio(results: Record<string, BenchResult>, task: string, baseline: string): number {
  return results[baseline].median / results[task].median;
}
