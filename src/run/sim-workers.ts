/**
 * `runSim` with the worlds spread over worker threads: one run is one job of the sweep's job
 * runner (sweep-jobs.ts), whose report is built exactly as `runSim` builds it — worlds placed by
 * task id, never by finishing order — so the report is the same byte for byte for any number of
 * workers (test/run/sim-workers.test.ts). The worlds of a run are independent; the calibration
 * pass, when a policy needs one, runs first and the worlds of other policies beside it.
 *
 * Threads pay for themselves only past some size: each loads the modules and warms its JIT anew
 * (about 0.5 s of wall time on a 2-vCPU machine, whose two threads together reach about 1.6× one),
 * so `autoWorkers` picks one per core only for a run of several worlds and enough expected calls,
 * and one thread (inline `runSim`) otherwise. Measured on 2 vCPUs: the reference (900k expected
 * calls) 0.91–1.0× the wall time of one thread, metastable.yaml (1.4M) 0.79–0.88×, a run of 432k
 * calls 1.08–1.37× — hence the threshold; with more cores the gain starts lower.
 */
import type { Report } from '../report/types.js';
import { estimateWork } from '../scenario/work.js';
import { DEFAULT_REPLICATIONS, type Scenario } from '../scenario/types.js';
import { withJobRunner } from './sweep-jobs.js';

/** Expected logical calls (every world) from which `run` spreads its worlds over threads by default. */
export const PARALLEL_CALLS = 500_000;
/** A user module's calls per workflow cannot be told before it runs: this many is assumed. */
const UNKNOWN_CALLS_PER_WORKFLOW = 10;

/** The threads `run` uses when `--workers` is not given: `cores` for a run big enough to gain, else 1. */
export function autoWorkers(sc: Scenario, replications: number | undefined, cores: number): number {
  const e = estimateWork({ ...sc, replications: replications ?? sc.replications ?? DEFAULT_REPLICATIONS });
  const worlds = e.worlds;
  if (worlds < 2 || cores < 2) return 1;
  const calls = worlds * (e.workflowsPerWorld ?? 0) * (e.callsPerWorkflow ?? UNKNOWN_CALLS_PER_WORKFLOW);
  return calls >= PARALLEL_CALLS ? Math.min(cores, worlds) : 1;
}

export interface SimOnWorkersOptions {
  workers: number;
  seed?: number;
  replications?: number;
  /** Told after each task (the calibration pass and each world) with (done, total): progress. */
  onTask?: (done: number, total: number) => void;
}

/** Every world of every policy of `sc` (loaded from `file`), on `workers` threads: `runSim(sc, { seed, replications })`'s report. */
export async function runSimOnWorkers(file: string, sc: Scenario, opts: SimOnWorkersOptions): Promise<Report> {
  const seed = opts.seed ?? sc.seed;
  const replications = opts.replications ?? sc.replications ?? DEFAULT_REPLICATIONS;
  const [report] = await withJobRunner(opts.workers, (runner) => runner.run([{ file, data: sc.raw, sc, seed, replications }], { onTask: opts.onTask }));
  return report;
}
