/**
 * `runSweep`: one scenario over a grid of settings. Each point is the scenario's data with the
 * point's values set, re-validated like a scenario file. The work is a list of tasks — first each
 * distinct calibration pass (points that differ only in policy settings share one), then every
 * world (point × policy × replication) — run on the main thread or spread over worker threads.
 * Results are placed by task id, never by finishing order, so the report is the same for any
 * number of workers; each point's figures are built exactly as `runSim` builds a report.
 */
import { Worker } from 'node:worker_threads';
import { TunnelsimError } from '../errors.js';
import { decode } from '../metrics/hdr.js';
import { SWEEP_SCHEMA, sweepFigures, type SweepReport } from '../report/sweep.js';
import type { WorldRecord } from '../report/types.js';
import { parseScenario } from '../scenario/load.js';
import { needsCalibration } from './calibrate.js';
import { buildReport, scenarioInfo } from './sim.js';
import { applySet, grid, type SweepAxis } from './sweep-grid.js';
import { executeTask, PointCache, type SweepTask, type SweepTaskResult } from './sweep-task.js';
import { VERSION } from './version.js';

export interface SweepOptions {
  /** Worker threads; 1 runs everything on the calling thread. @default 1 */
  workers?: number;
  /** Overrides every point's seed. */
  seed?: number;
  /** Called after each task (progress display). */
  onProgress?: (done: number, total: number) => void;
}

export const DEFAULT_SWEEP: Required<Omit<SweepOptions, 'seed' | 'onProgress'>> = { workers: 1 };

interface Point {
  data: unknown;
  set: Record<string, string>;
  seed: number;
  policies: number;
  replications: number;
  /** Index of this point's calibration task, when a policy needs one. */
  calibration?: number;
  name: string;
}

function buildPoints(file: string, base: unknown, axes: readonly SweepAxis[], seed: number | undefined): Point[] {
  return grid(axes).map((assignment) => {
    const data = structuredClone(base);
    const set: Record<string, string> = {};
    for (const a of assignment) {
      applySet(data, a.path, a.value);
      set[a.path] = a.label;
    }
    let sc;
    try {
      sc = parseScenario(data, file);
    } catch (err) {
      if (!(err instanceof TunnelsimError)) throw err;
      const at = assignment.map((a) => `${a.path}=${a.label}`).join(' ');
      throw new TunnelsimError('BAD_INPUT', `${at}: ${err.field ? `${err.field}: ` : ''}${err.message}`, { field: '--set' });
    }
    return { data, set, seed: seed ?? sc.seed, policies: sc.policies.length, replications: sc.replications, name: sc.name, calibration: needsCalibration(sc.policies) ? -1 : undefined };
  });
}

/** The calibration pass depends on everything but the policies, thresholds and report settings. */
function calibrationKey(p: Point): string {
  const { policies: _p, thresholds: _t, report: _r, ...rest } = p.data as Record<string, unknown>;
  return JSON.stringify([rest, p.seed]);
}

export async function runSweep(file: string, base: unknown, axes: readonly SweepAxis[], options: SweepOptions = {}): Promise<SweepReport> {
  const { workers } = { ...DEFAULT_SWEEP, ...options };
  if (!(Number.isInteger(workers) && workers >= 1)) throw new RangeError('workers must be an integer ≥ 1');
  const points = buildPoints(file, base, axes, options.seed);
  const calTasks: SweepTask[] = [];
  const byKey = new Map<string, number>();
  points.forEach((p, point) => {
    if (p.calibration === undefined) return;
    const key = calibrationKey(p);
    let id = byKey.get(key);
    if (id === undefined) {
      id = calTasks.length;
      byKey.set(key, id);
      calTasks.push({ kind: 'calibrate', id, point, file, data: p.data, seed: p.seed });
    }
    p.calibration = id;
  });
  const worldCount = points.reduce((n, p) => n + p.policies * p.replications, 0);
  const total = calTasks.length + worldCount;
  let done = 0;
  const progress = () => options.onProgress?.(++done, total);
  const pool = workers > 1 ? new Pool(Math.min(workers, Math.max(1, total))) : undefined;
  const run = (tasks: SweepTask[]) => (pool ? pool.run(tasks, progress) : runInline(tasks, progress));
  try {
    const calibrations = (await run(calTasks)).map((r) => r.calibration!);
    const worldTasks: SweepTask[] = [];
    points.forEach((p, point) => {
      for (let policy = 0; policy < p.policies; policy++) {
        for (let replication = 0; replication < p.replications; replication++) {
          const calibration = p.calibration === undefined ? undefined : calibrations[p.calibration];
          worldTasks.push({ kind: 'world', id: worldTasks.length, point, file, data: p.data, seed: p.seed, policy, replication, calibration });
        }
      }
    });
    const worlds = await run(worldTasks);
    let next = 0;
    const report: SweepReport = {
      schema: SWEEP_SCHEMA,
      tool: { name: 'tunnelsim', version: VERSION },
      scenario: { name: points[0]?.name ?? '', file },
      keys: axes.map((a) => a.path),
      points: points.map((p) => {
        const records: WorldRecord[] = worlds.slice(next, (next += p.policies * p.replications)).map((r) => r.world!);
        const sc = parseScenario(p.data, file);
        const cal = p.calibration === undefined ? undefined : calibrations[p.calibration].map(decode);
        const r = buildReport(scenarioInfo(sc, cal), p.seed, p.replications, records);
        return { set: p.set, seed: p.seed, policies: r.policies.map(sweepFigures) };
      }),
    };
    return report;
  } finally {
    await pool?.close();
  }
}

async function runInline(tasks: SweepTask[], progress: () => void): Promise<SweepTaskResult[]> {
  const cache = new PointCache();
  const out: SweepTaskResult[] = [];
  for (const t of tasks) {
    out.push(await executeTask(t, cache));
    progress();
  }
  return out;
}

/**
 * Worker threads running dist JS (or, under the TypeScript test runner, the .ts source through
 * tsx). Each worker takes the next task when it posts a result, so long worlds do not hold up
 * short ones.
 */
class Pool {
  private readonly workers: Worker[];

  constructor(size: number) {
    const ts = import.meta.url.endsWith('.ts');
    const url = new URL(ts ? './sweep-worker.ts' : './sweep-worker.js', import.meta.url);
    // Under tsx the worker has no TypeScript loader of its own: a tiny bootstrap imports it through tsx.
    const boot = `import('tsx/esm/api').then((m) => m.tsImport(${JSON.stringify(url.href)}, ${JSON.stringify(import.meta.url)}))`;
    this.workers = Array.from({ length: size }, () => (ts ? new Worker(boot, { eval: true }) : new Worker(url)));
  }

  run(tasks: SweepTask[], progress: () => void): Promise<SweepTaskResult[]> {
    const results: SweepTaskResult[] = new Array(tasks.length);
    if (tasks.length === 0) return Promise.resolve(results);
    let next = 0;
    let finished = 0;
    return new Promise((resolve, reject) => {
      let failed = false;
      const cleanups: (() => void)[] = [];
      const feed = (w: Worker) => {
        if (next < tasks.length) w.postMessage(tasks[next++]);
      };
      for (const w of this.workers) {
        const onMessage = (r: SweepTaskResult) => {
          if (failed) return;
          if (r.error) {
            failed = true;
            cleanups.forEach((c) => c());
            const e = r.error;
            return reject(e.code ? new TunnelsimError(e.code as never, e.message, { field: e.field, file: e.file }) : new Error(e.message));
          }
          results[r.id] = r;
          progress();
          if (++finished === tasks.length) {
            cleanups.forEach((c) => c());
            return resolve(results);
          }
          feed(w);
        };
        const onError = (err: Error) => {
          if (failed) return;
          failed = true;
          cleanups.forEach((c) => c());
          reject(err);
        };
        w.on('message', onMessage);
        w.on('error', onError);
        cleanups.push(() => {
          w.off('message', onMessage);
          w.off('error', onError);
        });
        feed(w);
      }
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
