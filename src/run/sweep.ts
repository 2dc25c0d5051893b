/**
 * `runSweep`: one scenario over a grid of settings. Each point is the scenario's data with the
 * point's values set, re-validated like a scenario file. The work is a list of tasks — first each
 * distinct calibration pass (points that differ only in policy settings share one), then every
 * world (point × policy × replication) — run on the calling thread when `workers` is 1, on that
 * many worker threads otherwise (sweep-pool.ts). A point's figures are assembled as soon as its
 * last task is in, so with workers that work overlaps the simulations still running.
 * Results are placed by task id, never by finishing order, so the report is the same for any
 * number of workers; each point's figures are built exactly as `runSim` builds a report.
 */
import { TunnelsimError } from '../errors.js';
import { SWEEP_SCHEMA, sweepFigures, type SweepReport } from '../report/sweep.js';
import type { SweepPoint } from '../report/sweep.js';
import { parseScenario } from '../scenario/load.js';
import type { Scenario } from '../scenario/types.js';
import { decodeCalibration, needsCalibration } from './calibrate.js';
import { buildReport, scenarioInfo } from './sim.js';
import { applySet, grid, type SweepAxis } from './sweep-grid.js';
import { SweepPool, withCalibration } from './sweep-pool.js';
import { executeTask, PointCache, type SweepTask, type SweepTaskResult } from './sweep-task.js';
import { VERSION } from './version.js';

export interface SweepOptions {
  /** Worker threads; 1 runs everything on the calling thread instead. @default 1 */
  workers?: number;
  /** Overrides every point's seed. */
  seed?: number;
  /** Called after each task (progress display). */
  onProgress?: (done: number, total: number) => void;
}

export const DEFAULT_SWEEP: Required<Omit<SweepOptions, 'seed' | 'onProgress'>> = { workers: 1 };

interface Point {
  data: unknown;
  sc: Scenario;
  set: Record<string, string>;
  seed: number;
  policies: number;
  replications: number;
  /** Index of this point's calibration task, when a policy needs one. */
  calibration?: number;
  /** Per policy: does it need the calibration pass (percentile timeouts or hedge delays)? */
  needs: boolean[];
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
    const needs = sc.policies.map((p) => needsCalibration([p]));
    return { data, sc, set, seed: seed ?? sc.seed, policies: sc.policies.length, replications: sc.replications ?? 1, name: sc.name, needs, calibration: needs.some(Boolean) ? -1 : undefined };
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
  // Workers start while the main thread validates the grid.
  const pool = workers > 1 ? new SweepPool(workers) : undefined;
  try {
    const points = buildPoints(file, base, axes, options.seed);
    // Calibrations first, then every world; a world that needs a calibration waits for it.
    const tasks: SweepTask[] = [];
    const byKey = new Map<string, number>();
    points.forEach((p, point) => {
      if (p.calibration === undefined) return;
      const key = calibrationKey(p);
      let id = byKey.get(key);
      if (id === undefined) {
        id = tasks.length;
        byKey.set(key, id);
        tasks.push({ kind: 'calibrate', id, point, file, data: p.data, seed: p.seed });
      }
      p.calibration = id;
    });
    // Per task, the points waiting for it; per point, how many of its tasks are still out.
    const pointsOf: number[][] = tasks.map(() => []);
    const outstanding = points.map(() => 0);
    const firstWorld: number[] = [];
    points.forEach((p, point) => {
      if (p.calibration !== undefined) {
        pointsOf[p.calibration].push(point);
        outstanding[point]++;
      }
      firstWorld.push(tasks.length);
      for (let policy = 0; policy < p.policies; policy++) {
        for (let replication = 0; replication < p.replications; replication++) {
          const needs = p.needs[policy] ? p.calibration : undefined;
          pointsOf.push([point]);
          outstanding[point]++;
          tasks.push({ kind: 'world', id: tasks.length, point, file, data: p.data, seed: p.seed, policy, replication, needs });
        }
      }
    });
    const results: SweepTaskResult[] = new Array(tasks.length);
    const assembled: SweepPoint[] = new Array(points.length);
    const assemble = (i: number): SweepPoint => {
      const p = points[i];
      const first = firstWorld[i];
      const records = results.slice(first, first + p.policies * p.replications).map((r) => r.world!);
      const cal = p.calibration === undefined ? undefined : decodeCalibration(results[p.calibration].calibration!);
      const r = buildReport(scenarioInfo(p.sc, cal), p.seed, p.replications, records);
      return { set: p.set, seed: p.seed, policies: r.policies.map(sweepFigures) };
    };
    let done = 0;
    const onResult = (r: SweepTaskResult) => {
      results[r.id] = r;
      for (const point of pointsOf[r.id]) if (--outstanding[point] === 0) assembled[point] = assemble(point);
      options.onProgress?.(++done, tasks.length);
    };
    if (pool) await pool.run(tasks, onResult);
    else await runInline(tasks, onResult);
    return {
      schema: SWEEP_SCHEMA,
      tool: { name: 'tunnelsim', version: VERSION },
      scenario: { name: points[0]?.name ?? '', file },
      keys: axes.map((a) => a.path),
      points: assembled,
    };
  } finally {
    await pool?.close();
  }
}

async function runInline(tasks: readonly SweepTask[], onResult: (r: SweepTaskResult) => void): Promise<void> {
  const cache = new PointCache();
  const out: SweepTaskResult[] = [];
  for (const t of tasks) {
    const r = await executeTask(withCalibration(t, out), cache);
    out.push(r);
    onResult(r);
  }
}
