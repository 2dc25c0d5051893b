/**
 * The injected-delay accuracy suite for `tunnelsim bench` (the measuring code is
 * delays-run.ts). It runs in a fresh Node process: after the other suites this one holds a
 * large heap, and V8 collects it (memory reducer, major GCs) once allocation calms down — exactly
 * while the idle baselines run — which would time the bench's own history, not the clock.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { benchDelays, type DelayBenchOptions, type DelayBenchResult, type Lateness } from './delays-run.js';
import type { BenchResult, BenchSuite } from './types.js';

const lateness = (l: Lateness): BenchResult => ({ median: l.p50Ms, p99: l.p99Ms, unit: 'ms', samples: l.timers });
/** The clock thread's total run-queue wait over one measured run (one sample). */
const waited = (r: DelayBenchResult): BenchResult => ({ median: r.runQueueWaitMs ?? 0, unit: 'ms', samples: 1 });

async function measure(options: Partial<DelayBenchOptions>): Promise<DelayBenchResult> {
  const module = new URL('./delays-run.js', import.meta.url);
  // Under the test runner (TypeScript sources through tsx) there is no built module to start.
  if (import.meta.url.endsWith('.ts')) return benchDelays(options);
  const code = `const { benchDelays } = await import(${JSON.stringify(module.href)}); process.stdout.write(JSON.stringify(await benchDelays(${JSON.stringify(options)})));`;
  const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', code], { maxBuffer: 1 << 20 });
  return JSON.parse(stdout) as DelayBenchResult;
}

export const delaysSuite: BenchSuite = {
  name: 'delays',
  run: async (opts) => {
    const size = opts.quick ? { workflows: 10 } : {};
    // Side by side, each in its own process: the clock as shipped, at real-time priority
    // (`live --realtime`, where the system allows it), and without its idle-time GC.
    const r = await measure(size);
    const rt = await measure({ ...size, realtime: true }).catch(() => undefined);
    const plain = await measure({ ...size, idleGc: false });
    const results: Record<string, BenchResult> = {
      lateness: lateness(r),
      'lateness.noIdleGc': lateness(plain),
      'lateness.clockAlone': lateness(r.clockAlone),
      'lateness.setTimeoutAlone': lateness(r.setTimeoutAlone),
    };
    if (rt) results['lateness.realtime'] = lateness(rt);
    if (r.runQueueWaitMs !== undefined) results.runQueueWait = waited(r);
    if (rt?.runQueueWaitMs !== undefined) results['runQueueWait.realtime'] = waited(rt);
    return { results, ratios: {} };
  },
};
