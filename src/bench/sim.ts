/**
 * The simulator's benchmarks (DESIGN.md budgets): attempts simulated per second on the reference
 * scenario with all metrics on, the same for a run ten times longer, and the peak RSS of each, so
 * the ratio shows whether memory stays flat in run length. Each run is a fresh child process
 * (its RSS is its own); the median of several runs is reported. Those whole-run figures include
 * the JIT's warm-up, which is most of a 1× run's time; `sdkDefault10xSteady` times the same long run after
 * untimed warm-up worlds, the rate the design's budget (1 M attempts/s) is stated in. Also the bare
 * kernel: events scheduled and fired per second.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Kernel } from '../kernel/kernel.js';
import { measure } from './measure.js';
import type { SimMeasurement } from './sim-child.js';
import { sampled } from './median.js';
import type { BenchResult, BenchSuite } from './types.js';

const CHILD = fileURLToPath(new URL('./sim-child.js', import.meta.url));
const REFERENCE = fileURLToPath(new URL('../../scenarios/thirty-call.yaml', import.meta.url));

function child(scale: number, policy?: string, warmUp = false): SimMeasurement {
  const args = [CHILD, REFERENCE, String(scale), ...(policy ? [policy] : []), ...(warmUp ? ['--warm-up'] : [])];
  return JSON.parse(execFileSync(process.execPath, args, { encoding: 'utf8' }));
}


function summarise(runs: SimMeasurement[]): { speed: BenchResult; rss: BenchResult } {
  const speeds = runs.map((r) => (r.attempts / r.ms) * 1000);
  return {
    speed: sampled(speeds, 'attempts/s'),
    rss: sampled(runs.map((r) => r.maxRssMB), 'MB'),
  };
}

export const simSuite: BenchSuite = {
  name: 'sim',
  async run(opts) {
    const n = opts.quick ? 1 : 3;
    const longScale = opts.quick ? 3 : 10;
    const all = summarise(Array.from({ length: n }, () => child(1)));
    const ref = summarise(Array.from({ length: n }, () => child(1, 'sdk-default')));
    const long = summarise(Array.from({ length: n }, () => child(longScale, 'sdk-default')));
    const steady = summarise(Array.from({ length: n }, () => child(longScale, 'sdk-default', true)));
    const kernel = await measure(
      {
        events: {
          fn: () => {
            const k = new Kernel();
            const target = { fire: (kind: number) => kind > 0 && k.after(1, target, kind - 1) };
            for (let i = 0; i < 100; i++) k.after(i, target, 100);
            k.run();
          },
          opsPerCall: 100 * 101,
        },
      },
      opts,
    );
    return {
      results: {
        'reference.attemptsPerSec': all.speed,
        'reference.peakRss': all.rss,
        'sdkDefault.attemptsPerSec': ref.speed,
        'sdkDefault.peakRss': ref.rss,
        [`sdkDefault${longScale}x.attemptsPerSec`]: long.speed,
        [`sdkDefault${longScale}x.peakRss`]: long.rss,
        [`sdkDefault${longScale}xSteady.attemptsPerSec`]: steady.speed,
        'kernel.event': kernel.events,
      },
      ratios: {
        // Higher is better: 1.0 means a run 10× longer needs no more memory.
        memoryFlat: ref.rss.median / long.rss.median,
        longRunSpeed: long.speed.median / ref.speed.median,
      },
    };
  },
};
