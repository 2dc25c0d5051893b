/**
 * The sweep benchmark (DESIGN.md budget: 2 workers ≥ 1.8 × one worker): `tunnelsim sweep` of a
 * 3 × 3 grid over the reference scenario, shortened to 1,000 workflows, run as a fresh process with
 * `--workers 1` and with `--workers 2`, in alternating order so drift on a shared machine hits both
 * alike. Fresh processes make both sides pay the same cold start (module loading, JIT warm-up) a
 * real sweep pays; timing in-process would let the one-thread side reuse a warm isolate while each
 * worker starts cold. The ratio is the median of the per-round ratios of wall times (1 worker ÷ 2
 * workers: higher is better).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { readScenarioData } from '../scenario/load.js';
import type { BenchResult, BenchSuite } from './types.js';
import { wallClock } from '../live/wall-clock.js';

const CLI = fileURLToPath(new URL('../cli/main.js', import.meta.url));
const REFERENCE = fileURLToPath(new URL('../../scenarios/thirty-call.yaml', import.meta.url));
export const SWEEP_WORKFLOWS = 1000;
export const SWEEP_SETS = ['policies.seed-guidance.retry.maxAttempts=1,2,3', 'faults.1.probability=0.005,0.01,0.02'];

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

function timed(workers: number, scenario: string, out: string): number {
  const args = [CLI, 'sweep', scenario, ...SWEEP_SETS.flatMap((s) => ['--set', s]), '--workers', String(workers), '--out', out];
  const t0 = wallClock.now();
  execFileSync(process.execPath, args, { stdio: 'ignore', env: { ...process.env, CI: 'true' } });
  return wallClock.now() - t0;
}

export const sweepSuite: BenchSuite = {
  name: 'sweep',
  async run(opts) {
    const dir = mkdtempSync(join(tmpdir(), 'tunnelsim-sweep-bench-'));
    try {
      const data = readScenarioData(REFERENCE) as Record<string, any>;
      data.workload = { ...data.workload, workflows: SWEEP_WORKFLOWS };
      const scenario = join(dir, 'reference.yaml');
      writeFileSync(scenario, stringify(data));
      const rounds = opts.quick ? 1 : 3;
      const one: number[] = [];
      const two: number[] = [];
      const ratios: number[] = [];
      for (let i = 0; i < rounds; i++) {
        // Alternate which goes first, so a warming (or cooling) machine favours neither.
        let o: number;
        let t: number;
        if (i % 2 === 0) {
          o = timed(1, scenario, dir);
          t = timed(2, scenario, dir);
        } else {
          t = timed(2, scenario, dir);
          o = timed(1, scenario, dir);
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
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
