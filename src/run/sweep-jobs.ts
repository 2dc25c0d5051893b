/**
 * Independent simulation runs over the sweep's tasks: a sweep's grid points, tune's candidates and
 * capacity's probes are each a *job* — one scenario, its seed, its replications, some of its
 * policies — whose report is built exactly as `runSim` builds it. A batch of jobs becomes one task
 * list (each distinct calibration pass, then every world) run on the calling thread when `workers`
 * is 1 and on that many worker threads otherwise (sweep-pool.ts). Results are placed by task id,
 * never by finishing order, so the reports are the same for any number of workers; a job's report
 * is assembled as soon as its last task is in, overlapping the simulations still running.
 */
import type { Report } from '../report/types.js';
import type { Scenario } from '../scenario/types.js';
import { decodeCalibration, encodeCalibration, needsCalibration, type Calibration, type EncodedCalibration } from './calibrate.js';
import { buildReport, scenarioInfo } from './sim.js';
import { SweepPool, withCalibration } from './sweep-pool.js';
import { executeTask, PointCache, type SweepTask, type SweepTaskResult } from './sweep-task.js';

export interface SimJob {
  file: string;
  /** The scenario as plain data: workers re-validate it. */
  data: unknown;
  /** The same, validated on this thread. */
  sc: Scenario;
  seed: number;
  replications: number;
  /**
   * Indices of the policies to run, in scenario order; the report then describes these alone, and
   * the calibration pass runs only when one of them needs it. @default every policy, as `runSim`
   */
  policies?: number[];
  /** A calibration pass already run for this scenario and seed (tune shares one); used only when a policy needs one, as in `runSim`. */
  calibration?: Calibration;
  /** Jobs with the same key share one calibration pass (sweep points that differ only in policies). */
  calibrationKey?: string;
}

/** Runs a task list somewhere: on worker threads, or inline on this thread. */
interface TaskRunner {
  run(tasks: readonly SweepTask[], onResult: (r: SweepTaskResult) => void): Promise<void>;
  close(): Promise<void>;
}

class InlineRunner implements TaskRunner {
  private readonly cache = new PointCache();

  async run(tasks: readonly SweepTask[], onResult: (r: SweepTaskResult) => void): Promise<void> {
    const out: SweepTaskResult[] = [];
    for (const t of tasks) {
      const r = await executeTask(withCalibration(t, out), this.cache);
      out.push(r);
      onResult(r);
    }
  }

  async close(): Promise<void> {}
}

export class JobRunner {
  readonly workers: number;
  private readonly runner: TaskRunner;
  /** Point ids are unique over the runner's life: each thread caches a point's parsed scenario by id. */
  private points = 0;

  /** `workers` threads; 1 runs every task on the calling thread. The threads start at once, so they load while the caller prepares work. */
  constructor(workers: number) {
    if (!(Number.isInteger(workers) && workers >= 1)) throw new RangeError('workers must be an integer ≥ 1');
    this.workers = workers;
    this.runner = workers > 1 ? new SweepPool(workers) : new InlineRunner();
  }

  /**
   * Runs every job; the result holds each job's report in job order. `onTask` is told after each
   * task (progress), `onReport` as each job's report is assembled (in finishing order).
   */
  async run(jobs: readonly SimJob[], hooks: { onTask?: (done: number, total: number) => void; onReport?: (job: number, r: Report) => void } = {}): Promise<Report[]> {
    const tasks: SweepTask[] = [];
    const base = this.points;
    this.points += jobs.length;
    // Calibrations first, then every world; a world that needs a calibration waits for it.
    const calibrationTask: (number | undefined)[] = [];
    const given: (EncodedCalibration | undefined)[] = [];
    const byKey = new Map<string, number>();
    // The scenario each report describes: the job's policies only.
    const scenarios = jobs.map((j) => (j.policies ? { ...j.sc, policies: j.policies.map((k) => j.sc.policies[k]) } : j.sc));
    jobs.forEach((j, i) => {
      const needed = needsCalibration(scenarios[i].policies);
      given.push(needed && j.calibration ? encodeCalibration(j.calibration) : undefined);
      if (!needed || j.calibration) return calibrationTask.push(undefined);
      let id = j.calibrationKey === undefined ? undefined : byKey.get(j.calibrationKey);
      if (id === undefined) {
        id = tasks.length;
        if (j.calibrationKey !== undefined) byKey.set(j.calibrationKey, id);
        tasks.push({ kind: 'calibrate', id, point: base + i, file: j.file, data: j.data, seed: j.seed });
      }
      calibrationTask.push(id);
    });
    // Per task, the jobs waiting for it; per job, how many of its tasks are still out.
    const jobsOf: number[][] = tasks.map(() => []);
    const outstanding = jobs.map(() => 0);
    const worldTasks: number[][] = [];
    jobs.forEach((j, i) => {
      const cal = calibrationTask[i];
      if (cal !== undefined) {
        jobsOf[cal].push(i);
        outstanding[i]++;
      }
      const own: number[] = [];
      for (const policy of j.policies ?? j.sc.policies.map((_, k) => k)) {
        const needs = needsCalibration([j.sc.policies[policy]]);
        for (let replication = 0; replication < j.replications; replication++) {
          jobsOf.push([i]);
          outstanding[i]++;
          own.push(tasks.length);
          const task: SweepTask = { kind: 'world', id: tasks.length, point: base + i, file: j.file, data: j.data, seed: j.seed, policy, replication };
          if (needs && cal !== undefined) task.needs = cal;
          if (needs && given[i]) task.calibration = given[i];
          tasks.push(task);
        }
      }
      worldTasks.push(own);
    });
    const results: SweepTaskResult[] = new Array(tasks.length);
    const reports: Report[] = new Array(jobs.length);
    const assemble = (i: number): Report => {
      const j = jobs[i];
      const sc = scenarios[i];
      const cal = calibrationTask[i] !== undefined ? decodeCalibration(results[calibrationTask[i]!].calibration!) : needsCalibration(sc.policies) ? j.calibration : undefined;
      return buildReport(scenarioInfo(sc, cal), j.seed, j.replications, worldTasks[i].map((t) => results[t].world!));
    };
    let done = 0;
    await this.runner.run(tasks, (r) => {
      results[r.id] = r;
      for (const i of jobsOf[r.id]) {
        if (--outstanding[i] > 0) continue;
        reports[i] = assemble(i);
        hooks.onReport?.(i, reports[i]);
      }
      hooks.onTask?.(++done, tasks.length);
    });
    // A job with no task (no policy selected) still gets its (empty) report.
    jobs.forEach((_, i) => {
      if (!reports[i]) reports[i] = assemble(i);
    });
    return reports;
  }

  close(): Promise<void> {
    return this.runner.close();
  }
}

/** Runs `body` with a job runner of `workers` threads, closing it however `body` ends. */
export async function withJobRunner<T>(workers: number, body: (runner: JobRunner) => Promise<T>): Promise<T> {
  const runner = new JobRunner(workers);
  try {
    return await body(runner);
  } finally {
    await runner.close();
  }
}
