/**
 * `runSweep`: one scenario over a grid of settings. Each point is the scenario's data with the
 * point's values set, re-validated like a scenario file. Each point is a job of sweep-jobs.ts:
 * points that differ only in policy settings share one calibration pass, and every world
 * (point × policy × replication) is a task for the calling thread (`workers` 1) or the worker pool.
 * The report is the same for any number of workers; each point's figures are built exactly as
 * `runSim` builds a report.
 */
import { TunnelsimError } from '../errors.js';
import { SWEEP_SCHEMA, sweepFigures, type SweepReport } from '../report/sweep.js';
import type { SweepPoint } from '../report/sweep.js';
import { parseScenario } from '../scenario/load.js';
import type { Scenario } from '../scenario/types.js';
import { applySet, grid, type SweepAxis } from './sweep-grid.js';
import { withJobRunner, type SimJob } from './sweep-jobs.js';
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
  replications: number;
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
    return { data, sc, set, seed: seed ?? sc.seed, replications: sc.replications ?? 1, name: sc.name };
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
  return withJobRunner(workers, async (runner) => {
    const points = buildPoints(file, base, axes, options.seed);
    const jobs: SimJob[] = points.map((p) => ({ file, data: p.data, sc: p.sc, seed: p.seed, replications: p.replications, calibrationKey: calibrationKey(p) }));
    const reports = await runner.run(jobs, { onTask: options.onProgress });
    return {
      schema: SWEEP_SCHEMA,
      tool: { name: 'tunnelsim', version: VERSION },
      scenario: { name: points[0]?.name ?? '', file },
      keys: axes.map((a) => a.path),
      points: reports.map((r, i): SweepPoint => ({ set: points[i].set, seed: points[i].seed, policies: r.policies.map(sweepFigures) })),
    };
  });
}
