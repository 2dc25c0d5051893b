/**
 * The sweep benchmark (DESIGN.md budget: 2 workers ≥ 1.8 × one worker): `tunnelsim sweep` of a
 * 3 × 3 grid over the reference scenario, run as a fresh process with `--workers 1` and with
 * `--workers 2`, in alternating order so drift on a shared machine hits both alike. Fresh processes
 * make both sides pay the same cold start (module loading, JIT warm-up) a real sweep pays; timing
 * in-process would let the one-thread side reuse a warm isolate while each worker starts cold.
 *
 * Beside it, the machine's own ceiling in the same round: two independent `--workers 1` sweeps
 * started at once. They share nothing but the cores, so 2 × (one alone) ÷ (the pair) is the most
 * any two-thread sweep could gain here — on two cores less than 2, because one V8 isolate alone
 * already uses the second core for its concurrent compiler and GC helpers. Ratios are medians of
 * per-round ratios (higher is better); `efficiencyPerCore` is the speed-up ÷ 2 workers (1 is
 * perfect scaling) on the machine it ran on (the bench file's `machine.cpus`); `twoWorkersVsCeiling` is how much of
 * the ceiling the pool reaches.
 */
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { median } from './median.js';
import type { BenchResult, BenchSuite } from './types.js';
import { wallClock } from './wall-clock.js';

const CLI = fileURLToPath(new URL('../cli/main.js', import.meta.url));
const REFERENCE = fileURLToPath(new URL('../../scenarios/thirty-call.yaml', import.meta.url));
export const SWEEP_SETS = ['policies.seed-guidance.retry.maxAttempts=1,2,3', 'faults.1.probability=0.005,0.01,0.02'];


const ENV = { ...process.env, CI: 'true' };

function sweepArgs(workers: number, out: string): string[] {
  return [CLI, 'sweep', REFERENCE, ...SWEEP_SETS.flatMap((s) => ['--set', s]), '--workers', String(workers), '--out', out];
}

function timed(workers: number, out: string): number {
  const t0 = wallClock.now();
  execFileSync(process.execPath, sweepArgs(workers, out), { stdio: 'ignore', env: ENV });
  return wallClock.now() - t0;
}

/** Two independent one-thread sweeps at once; wall time until both are done. */
async function timedPair(dir: string): Promise<number> {
  const run = promisify(execFile);
  const t0 = wallClock.now();
  await Promise.all(['a', 'b'].map((d) => run(process.execPath, sweepArgs(1, join(dir, d)), { env: ENV })));
  return wallClock.now() - t0;
}

export const sweepSuite: BenchSuite = {
  name: 'sweep',
  async run(opts) {
    const dir = mkdtempSync(join(tmpdir(), 'tunnelsim-sweep-bench-'));
    try {
      const rounds = opts.quick ? 1 : 3;
      const one: number[] = [];
      const two: number[] = [];
      const pair: number[] = [];
      const ratios: number[] = [];
      const ceilings: number[] = [];
      for (let i = 0; i < rounds; i++) {
        // Alternate the order, so a warming (or cooling) machine favours neither side.
        let o: number;
        let t: number;
        let p: number;
        if (i % 2 === 0) {
          o = timed(1, dir);
          t = timed(2, dir);
          p = await timedPair(dir);
        } else {
          p = await timedPair(dir);
          t = timed(2, dir);
          o = timed(1, dir);
        }
        one.push(o);
        two.push(t);
        pair.push(p);
        ratios.push(o / t);
        ceilings.push((2 * o) / p);
      }
      const result = (xs: number[]): BenchResult => ({ median: median(xs), unit: 'ms', samples: xs.length });
      const speedUp = median(ratios);
      const ceiling = median(ceilings);
      return {
        results: { 'grid3x3.oneWorker': result(one), 'grid3x3.twoWorkers': result(two), 'grid3x3.twoIndependentOneWorkerSweeps': result(pair) },
        // Efficiency per core: the speed-up over one worker divided by the workers (1 = perfect scaling), on this machine.
        ratios: { twoWorkersVsOne: speedUp, efficiencyPerCore: speedUp / 2, machineCeiling: ceiling, twoWorkersVsCeiling: speedUp / ceiling },
      };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
