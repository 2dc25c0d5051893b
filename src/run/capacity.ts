/**
 * Capacity planning: the largest value of a scenario key (a load: `workload.arrivalRate`,
 * `workload.agents`, `workload.rateScale`) — or the smallest (a resource: `server.concurrency`) —
 * at which a policy still meets the SLO. The search brackets the answer by doubling or halving
 * from the scenario's own value, then bisects to a relative tolerance. Every point runs on the
 * same keyed draws (common random numbers), so the SLO's verdict moves with the key, not with
 * sampling noise between points. Around the answer it then measures a load curve (¼× to 2×), with
 * pool utilisation and queueing, and finds its knee (Kneedle: the point farthest below the chord
 * of the normalised curve, rising — more load, slower — or falling — more workers, faster). Each
 * point is one replication unless the scenario sets `replications`.
 *
 * Points run on the sweep's worker pool (sweep-jobs.ts). The curve's points are independent and
 * run as one batch; the bracketing and the bisection are sequential, so with 3 or more workers
 * they probe ahead (the next doublings, the next levels of midpoints) and keep only what the
 * sequential search would have asked for — the report is the same for any number of workers.
 */
import { TunnelsimError } from '../errors.js';
import { figureValue } from '../report/figures.js';
import { measurePolicy } from '../report/resolve.js';
import { parseThreshold, sloResults } from '../report/thresholds.js';
import type { PolicyReport } from '../report/types.js';
import { parseScenario } from '../scenario/load.js';
import { withJobRunner, type JobRunner, type SimJob } from './sweep-jobs.js';
import { applySet } from './sweep-grid.js';
import { VERSION } from './version.js';
import { CAPACITY_SCHEMA, type CapacityPoint, type CapacityReport } from '../report/capacity-report.js';

export { CAPACITY_SCHEMA, type CapacityPoint, type CapacityReport };

export interface CapacityOptions {
  /** Scenario key to vary (a dotted path into the YAML data). */
  vary: string;
  /** SLO expressions in threshold grammar; all must hold. */
  slo: string[];
  /** Which policy; @default the scenario's first */
  policy?: string;
  /** `largest` for a load, `smallest` for a resource. @default 'largest' */
  find?: 'largest' | 'smallest';
  /** Relative width of the final bracket. @default 0.02 */
  tolerance?: number;
  /** Treat the key as an integer. @default: when the scenario's value is an integer and the key is not a rate */
  integer?: boolean;
  /** Load-curve points, as multiples of the answer. @default [0.25, 0.5, 0.75, 0.9, 1, 1.1, 1.25, 1.5, 2] */
  curve?: number[];
  seed?: number;
  /** Worker threads the probes run on; 1 runs them on the calling thread. @default 1 */
  workers?: number;
  onPoint?: (value: number, ok: boolean) => void;
}

export const DEFAULT_CURVE = [0.25, 0.5, 0.75, 0.9, 1, 1.1, 1.25, 1.5, 2];

function getPath(data: unknown, path: string): unknown {
  let node = data as any;
  for (const seg of path.split('.')) {
    if (Array.isArray(node)) node = node.find((x) => x?.name === seg) ?? node[Number(seg)];
    else node = node?.[seg];
  }
  return node;
}

function point(value: number, p: PolicyReport, slo: CapacityPoint['slo']): CapacityPoint {
  const seconds = p.simulatedMs / 1000;
  return {
    value,
    ok: slo.every((s) => s.ok),
    workflowP50: figureValue(p, 'workflow.p(50)'),
    workflowP95: figureValue(p, 'workflow.p(95)'),
    workflowP99: figureValue(p, 'workflow.p(99)'),
    workflowCompletedP95: figureValue(p, 'workflow.completed.p(95)'),
    successRate: p.workflows.successRate,
    throughput: seconds > 0 ? Number((p.workflows.completed / seconds).toPrecision(6)) : 0,
    serverUtilisation: p.utilisation?.server ?? 0,
    relayUtilisation: p.utilisation?.relay ?? 0,
    serverQueueMeanMs: p.latency.serverQueue.mean,
    relayQueueMeanMs: p.latency.relayQueue.mean,
    amplification: p.calls.amplification,
    costPerCompletedWorkflow: p.cost.perCompletedWorkflow,
    slo,
  };
}

/**
 * Kneedle: on the curve normalised to the unit square, the point with the largest gap below the
 * chord between its ends. A rising curve (load against latency) bends up at its knee; a falling
 * one (workers against latency) bends flat, so its x axis is mirrored first — otherwise its last
 * point, where it is lowest, would always look farthest below the chord.
 */
export function knee(points: readonly { x: number; y: number }[]): number | null {
  if (points.length < 3) return null;
  const sorted = [...points].sort((a, b) => a.x - b.x);
  const xs = sorted.map((p) => p.x);
  const ys = sorted.map((p) => p.y);
  const [x0, x1, y0, y1] = [xs[0], xs[xs.length - 1], Math.min(...ys), Math.max(...ys)];
  if (x1 === x0 || y1 === y0) return null;
  const rising = ys[ys.length - 1] >= ys[0];
  let best = -Infinity;
  let at: number | null = null;
  for (const p of sorted) {
    const xn = (p.x - x0) / (x1 - x0);
    const gap = (rising ? xn : 1 - xn) - (p.y - y0) / (y1 - y0);
    if (gap > best) {
      best = gap;
      at = p.x;
    }
  }
  return best > 0 ? at : null;
}

export const DEFAULT_CAPACITY: Required<Pick<CapacityOptions, 'find' | 'tolerance' | 'workers'>> = { find: 'largest', tolerance: 0.02, workers: 1 };

/** Bisection levels probed at once: with w workers, a tree of 2^k − 1 midpoints fits when 2^k − 1 ≤ w; below 3 workers only the next midpoint. */
export function lookahead(workers: number): number {
  return Math.max(1, Math.floor(Math.log2(workers + 1)));
}

export async function runCapacity(file: string, base: unknown, opts: CapacityOptions): Promise<CapacityReport> {
  const workers = opts.workers ?? DEFAULT_CAPACITY.workers;
  if (!(Number.isInteger(workers) && workers >= 1)) throw new RangeError('workers must be an integer ≥ 1');
  return withJobRunner(workers, (runner) => capacity(runner, file, base, opts));
}

async function capacity(runner: JobRunner, file: string, base: unknown, opts: CapacityOptions): Promise<CapacityReport> {
  const find = opts.find ?? DEFAULT_CAPACITY.find;
  const tolerance = opts.tolerance ?? DEFAULT_CAPACITY.tolerance;
  const first = parseScenario(structuredClone(base), file);
  const policy = opts.policy ?? first.policies[0].name;
  const policyIndex = first.policies.findIndex((p) => p.name === policy);
  if (policyIndex < 0) {
    throw new TunnelsimError('BAD_INPUT', `no policy named '${policy}' (the scenario has: ${first.policies.map((p) => p.name).join(', ')})`, { field: '--policy' });
  }
  const start = getPath(base, opts.vary);
  if (typeof start !== 'number' || !(start > 0)) {
    throw new TunnelsimError('BAD_INPUT', `${opts.vary} must be a positive number in the scenario to search from (it is ${JSON.stringify(start)})`, { field: '--vary' });
  }
  for (const expr of opts.slo) parseThreshold(expr, '--slo');
  const integer = opts.integer ?? (Number.isInteger(start) && !/(rate|Rate|Scale|target)$/.test(opts.vary));
  const spec = { [policy]: opts.slo };
  const measured = new Map<number, CapacityPoint>();
  const search: CapacityPoint[] = [];
  const normalise = (raw: number) => (integer ? Math.max(1, Math.round(raw)) : Number(raw.toPrecision(6)));

  const jobAt = (value: number): SimJob => {
    const data = structuredClone(base);
    applySet(data, opts.vary, value);
    let sc;
    try {
      sc = parseScenario(data, file);
    } catch (err) {
      if (!(err instanceof TunnelsimError)) throw err;
      throw new TunnelsimError('BAD_INPUT', `${opts.vary}=${value}: ${err.field ? `${err.field}: ` : ''}${err.message}`, { field: '--vary' });
    }
    // Only the planned policy runs, and it is calibrated only when it needs it.
    return { file, data, sc, seed: opts.seed ?? sc.seed, replications: sc.replications ?? 1, policies: [policyIndex] };
  };
  /**
   * Measures `values` (the ones not measured yet) in one batch. `ahead` are values the search may
   * want next (run-ahead): measured alongside, but a value that does not validate is skipped, since
   * the sequential search might never have asked for it.
   */
  const measure = async (values: number[], ahead: number[] = []): Promise<void> => {
    const wanted = [...new Set(values.map(normalise))].filter((v) => !measured.has(v));
    const jobs = wanted.map(jobAt);
    for (const v of new Set(ahead.map(normalise))) {
      if (measured.has(v) || wanted.includes(v)) continue;
      try {
        jobs.push(jobAt(v));
        wanted.push(v);
      } catch (err) {
        if (!(err instanceof TunnelsimError)) throw err;
      }
    }
    const reports = await runner.run(jobs);
    wanted.forEach((value, i) => {
      const report = reports[i];
      const results = sloResults(report, spec);
      const pr = report.policies[0];
      const unit = (expr: string) => measurePolicy(pr, parseThreshold(expr).target).unit;
      measured.set(value, point(value, pr, results.map((r) => ({ expression: r.expression, value: r.value, ok: r.ok, unit: unit(r.expression) }))));
    });
  };
  // What the sequential search saw, in its order: run-ahead points it never asked for stay out of the report.
  const visited = new Set<number>();
  const visit = (raw: number): CapacityPoint => {
    const value = normalise(raw);
    const p = measured.get(value)!;
    if (!visited.has(value)) {
      visited.add(value);
      search.push(p);
      opts.onPoint?.(value, p.ok);
    }
    return p;
  };
  const evaluate = async (raw: number, ahead: number[] = []): Promise<CapacityPoint> => {
    await measure([raw], ahead);
    return visit(raw);
  };

  // `better(v)` moves towards values more likely to meet the SLO.
  const grow = find === 'largest';
  const MAX_STEPS = 14;
  // Run-ahead pays only when it does not take a worker from the point the search needs next.
  const wide = runner.workers >= 3;
  let meets: number | null = null;
  let fails: number | null = null;
  let v = start;
  // The doubling (or halving) path from v, as far as the workers reach.
  const path = (from: number, up: boolean): number[] => {
    const out: number[] = [];
    for (let x = from, i = 1; wide && i < runner.workers; i++) {
      x = up ? x * 2 : x / 2;
      if (integer && !up && x < 1) break;
      out.push(x);
    }
    return out;
  };
  if ((await evaluate(v, path(v, grow))).ok) {
    meets = v;
    for (let i = 0; i < MAX_STEPS && fails === null; i++) {
      v = grow ? v * 2 : v / 2;
      if (integer && !grow && v < 1) break;
      if ((await evaluate(v, path(v, grow))).ok) meets = v;
      else fails = v;
    }
  } else {
    fails = v;
    for (let i = 0; i < MAX_STEPS && meets === null; i++) {
      v = grow ? v / 2 : v * 2;
      if (integer && grow && v < 1) break;
      if ((await evaluate(v, path(v, !grow))).ok) meets = v;
      else fails = v;
    }
  }
  if (meets !== null && fails !== null) {
    const settled = (lo: number, hi: number) => {
      const gap = Math.abs(hi - lo);
      return integer ? gap <= 1 : gap <= tolerance * Math.min(lo, hi);
    };
    const midpoint = (lo: number, hi: number) => (integer ? Math.round((lo + hi) / 2) : (lo + hi) / 2);
    // The midpoints of the next `levels` bisection steps, whichever way each goes.
    const tree = (lo: number, hi: number, levels: number): number[] => {
      if (levels === 0 || settled(lo, hi)) return [];
      const mid = midpoint(lo, hi);
      return [mid, ...tree(lo, mid, levels - 1), ...tree(mid, hi, levels - 1)];
    };
    const levels = lookahead(runner.workers);
    let lo: number = meets;
    let hi: number = fails;
    for (let i = 0; i < 40; i++) {
      if (settled(lo, hi)) break;
      const mid: number = midpoint(lo, hi);
      if ((await evaluate(mid, tree(lo, hi, levels).slice(1))).ok) lo = mid;
      else hi = mid;
    }
    meets = lo;
    fails = hi;
  }
  const norm = (x: number | null) => (x === null ? null : integer ? Math.round(x) : Number(x.toPrecision(6)));
  const answer = norm(meets);
  // The curve's points are independent: one batch, then visited in the order the search lists them.
  const values = answer === null ? [] : [...new Set((opts.curve ?? DEFAULT_CURVE).map((f) => (integer ? Math.max(1, Math.round(answer * f)) : Number((answer * f).toPrecision(6)))))];
  await measure(values);
  const curve = values.map(visit);
  curve.sort((a, b) => a.value - b.value);
  // Censored points (more than 5 % failed) have no p95: the knee is on the points that have one.
  const k = knee(curve.flatMap((p) => (p.workflowP95 === null ? [] : [{ x: p.value, y: p.workflowP95 }])));
  return {
    schema: CAPACITY_SCHEMA,
    tool: { name: 'tunnelsim', version: VERSION },
    scenario: { name: first.name, file },
    policy,
    vary: opts.vary,
    find,
    slo: opts.slo,
    capacity: answer,
    bracket: [norm(meets), norm(fails)],
    knee: k === null ? null : { value: k, workflowP95: curve.find((p) => p.value === k)!.workflowP95! },
    search,
    curve,
  };
}
