/**
 * The sweep benchmark (DESIGN.md budget: 2 workers ≥ 1.8 × one worker): a 3 × 3 sweep of the
 * reference scenario, shortened to 1,000 workflows, run with one worker thread and with two, in
 * alternating order so drift on a shared machine hits both alike. The ratio is the median of the
 * per-round ratios of wall times (1 worker ÷ 2 workers: higher is better).
 */
import { fileURLToPath } from 'node:url';
import { readScenarioData } from '../scenario/load.js';
import { parseSet } from '../run/sweep-grid.js';
import { runSweep } from '../run/sweep.js';
import type { BenchResult, BenchSuite } from './types.js';

const REFERENCE = fileURLToPath(new URL('../../scenarios/thirty-call.yaml', import.meta.url));
export const SWEEP_WORKFLOWS = 1000;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

async function timed(workers: number, data: unknown): Promise<number> {
  const axes = [parseSet('policies.seed-guidance.retry.maxAttempts=1,2,3'), parseSet('faults.1.probability=0.005,0.01,0.02')];
  const t0 = performance.now();
  await runSweep(REFERENCE, data, axes, { workers });
  return performance.now() - t0;
}

export const sweepSuite: BenchSuite = {
  name: 'sweep',
  async run(opts) {
    const data = readScenarioData(REFERENCE) as Record<string, any>;
    data.workload = { ...data.workload, workflows: SWEEP_WORKFLOWS };
    const rounds = opts.quick ? 1 : 3;
    const one: number[] = [];
    const two: number[] = [];
    const ratios: number[] = [];
    for (let i = 0; i < rounds; i++) {
      // Alternate which goes first, so a warming (or cooling) machine favours neither.
      let o: number;
      let t: number;
      if (i % 2 === 0) {
        o = await timed(1, data);
        t = await timed(2, data);
      } else {
        t = await timed(2, data);
        o = await timed(1, data);
      }
      one.push(o);
      two.push(t);
      ratios.push(o / t);
    }
    const result = (xs: number[]): BenchResult => ({ median: median(xs), unit: 'ms', samples: xs.length });
    return {
      results: { 'grid3x3.oneWorker': result(one), 'grid3x3.twoWorkers': result(two) },
      ratios: { twoWorkersVsOne: median(ratios) },
    };
  },
};
