/**
 * `runSim`: a run is a set of independent worlds, one per policy × replication, each with its own
 * kernel and recorder. Worlds are listed in a canonical order (scenario policy order, then
 * replication); a shard `i/n` runs the worlds whose position p satisfies p mod n = i − 1. The
 * report keeps each world's raw record, so `merge` of all shards rebuilds the same figures.
 * Replication r has the same seed under every policy (common random numbers), so each headline
 * figure gets a 95 % interval from its per-replication values and policies compare pairwise.
 */
import type { UserWorkflow } from '../agent/script.js';
import { deriveSeed } from '../kernel/rng.js';
import { TunnelsimError } from '../errors.js';
import { FIGURES, figureValue } from '../report/figures.js';
import { meanInterval } from '../report/stats.js';
import { REPORT_SCHEMA, type FaultWindow, type PolicyReport, type Report, type ScenarioInfo, type WorldRecord } from '../report/types.js';
import type { IncidentWindow } from '../report/incident-types.js';
import { DEFAULT_REPLICATIONS, type Scenario } from '../scenario/types.js';
import { formatDuration } from '../scenario/units.js';
import { aggregatePolicy, type AggregateContext } from './aggregate.js';
import { calibrate, calibrationInfo, needsCalibration, resolveHedgeDelays, resolveTimeouts, type Calibration } from './calibrate.js';
import { recoveryFigures, sumTimelines } from '../report/recovery.js';
import { isWindowed } from '../scenario/fault-schema.js';
import { VERSION } from './version.js';
import { runWorld } from './world.js';
import { SpanCapture } from './span-capture.js';
import type { SimWorldSpans } from '../report/otlp-sim.js';

export interface Shard {
  index: number;
  count: number;
}

/**
 * Replications of a `run` when the scenario sets none: five give each headline figure a 95 %
 * interval (t with 4 degrees of freedom, 2.78 standard errors) and keep the reference scenario
 * near 5 s on one core. Live runs, sweeps, capacity and tune default to one (their cost is real
 * time, or many points).
 */
export { DEFAULT_REPLICATIONS };

export interface SimOptions {
  /** Overrides the scenario's seed. */
  seed?: number;
  /** Overrides the scenario's replications (`run --replications`). @default the scenario's, else DEFAULT_REPLICATIONS */
  replications?: number;
  /** Run only these policies (names). */
  policies?: string[];
  shard?: Shard;
  /** A loaded workflow module, when the scenario names one. */
  module?: UserWorkflow;
  /** Called after each world finishes (progress display). */
  onWorld?: (done: number, total: number) => void;
  /** Called as worlds run: worlds done, with a share of the running one (`1.4` of 3), and the total (progress display; runWorld's slices). */
  onProgress?: (done: number, total: number) => void;
  /** A calibration pass already run for this scenario and seed (tune reuses one across candidates). */
  calibration?: Calibration;
  /** Capture the first `maxWorkflows` workflows of each world as span data into `worlds` (run --format otlp). */
  spans?: { maxWorkflows: number; worlds: SimWorldSpans[] };
}

export interface WorldPlan {
  id: string;
  policy: number;
  replication: number;
  position: number;
}

export function replicationSeed(seed: number, r: number): number {
  return r === 0 ? seed : deriveSeed(seed, `replication:${r}`);
}

export function planWorlds(sc: Scenario, opts: Pick<SimOptions, 'policies' | 'shard'>, replications: number): WorldPlan[] {
  if (opts.policies) {
    for (const name of opts.policies) {
      if (!sc.policies.some((p) => p.name === name)) {
        throw new TunnelsimError('BAD_INPUT', `no policy named '${name}' (the scenario has: ${sc.policies.map((p) => p.name).join(', ')})`, { field: '--policy' });
      }
    }
  }
  const plans: WorldPlan[] = [];
  let position = 0;
  sc.policies.forEach((p, policy) => {
    for (let r = 0; r < replications; r++) plans.push({ id: `${p.name}#${r}`, policy, replication: r, position: position++ });
  });
  return plans.filter(
    (w) => (!opts.policies || opts.policies.includes(sc.policies[w.policy].name)) && (!opts.shard || w.position % opts.shard.count === opts.shard.index - 1),
  );
}

export function scenarioInfo(sc: Scenario, calibration: Calibration | undefined): ScenarioInfo {
  const info: ScenarioInfo = {
    name: sc.name,
    file: sc.file,
    policies: sc.policies.map((p) => ({
      name: p.name,
      description: p.description,
      timeouts: Object.fromEntries(resolveTimeouts(sc, p, calibration).map((ms, i) => [sc.tools[i].name, Number.isFinite(ms) ? Math.round(ms * 1000) / 1000 : null])),
      breaker: p.breaker !== undefined,
    })),
    pricing: { ...sc.llm.pricing },
    windowMs: sc.windowMs,
    faultWindows: faultWindows(sc),
    thresholds: sc.thresholds,
    verdict: sc.verdict,
    system: { serverConcurrency: sc.server.concurrency, relayMaxInFlight: sc.relay.maxInFlightPerTunnel },
  };
  if (calibration) info.calibration = calibrationInfo(sc, calibration);
  const windows = sc.faults.flatMap((f, fault) => (isWindowed(f) && f.to !== undefined ? [{ fault, kind: f.kind, fromMs: f.from ?? 0, toMs: f.to }] : []));
  if (windows.length > 0) info.incidentWindows = windows;
  return info;
}

/** Every fault with a time window, in scenario order: what the time-series charts shade. */
export function faultWindows(sc: Pick<Scenario, 'faults'>): FaultWindow[] {
  return sc.faults
    .filter((f) => f.from !== undefined || f.to !== undefined)
    .map((f) => {
      const where = 'target' in f && f.target ? f.target : 'link' in f && f.link ? f.link : f.tool ?? '';
      const how = 'multiplier' in f && f.multiplier !== undefined ? ` ×${f.multiplier}` : '';
      const from = f.from ?? 0;
      const span = `${formatDuration(from)}–${f.to === undefined ? 'end' : formatDuration(f.to)}`;
      return { kind: f.kind, label: `${f.kind}${where ? ` ${where}` : ''}${how}, ${span}`, from, to: f.to ?? null };
    });
}

export function runSim(sc: Scenario, opts: SimOptions = {}): Report {
  const seed = opts.seed ?? sc.seed;
  const replications = opts.replications ?? sc.replications ?? DEFAULT_REPLICATIONS;
  const plans = planWorlds(sc, opts, replications);
  const calibration = needsCalibration(sc.policies) ? (opts.calibration ?? calibrate(sc, seed, opts.module)) : undefined;
  const worlds: WorldRecord[] = [];
  plans.forEach((plan, i) => {
    const policy = sc.policies[plan.policy];
    const timeouts = resolveTimeouts(sc, policy, calibration);
    let capture: SpanCapture | undefined;
    const spans = opts.spans && ((now: () => number) => (capture = new SpanCapture(sc.tools.map((t) => t.name), now, opts.spans!.maxWorkflows)));
    const onProgress = opts.onProgress && ((f: number) => opts.onProgress!(i + f, plans.length));
    const { rec, simulatedMs } = runWorld(sc, policy, replicationSeed(seed, plan.replication), timeouts, opts.module, resolveHedgeDelays(sc, policy, calibration), { spans, onProgress });
    worlds.push(rec.toRecord(plan.id, policy.name, plan.replication));
    if (capture) opts.spans!.worlds.push(capture.finish({ world: plan.id, policy: policy.name, replication: plan.replication }, simulatedMs));
    opts.onWorld?.(i + 1, plans.length);
  });
  return buildReport(scenarioInfo(sc, calibration), seed, replications, worlds, opts.shard);
}

/** Assembles a report from world records (used by runSim, live, sweeps and merge). */
export function buildReport(info: ScenarioInfo, seed: number, replications: number, worlds: WorldRecord[], shard?: Shard): Report {
  const order = new Map(info.policies.map((p, i) => [p.name, i]));
  const sorted = [...worlds].sort((a, b) => order.get(a.policy)! - order.get(b.policy)! || a.replication - b.replication);
  const ctx: AggregateContext = { llm: { pricing: info.pricing } as Scenario['llm'], windowMs: info.windowMs, system: info.system, faultWindows: info.faultWindows, decoded: new Map() };
  const policies = info.policies
    .filter((p) => sorted.some((w) => w.policy === p.name))
    .map((p) => {
      const own = sorted.filter((w) => w.policy === p.name);
      const report = withRecovery(aggregatePolicy(p, own, ctx), own, info.incidentWindows);
      if (own.length >= 2) addIntervals(report, own.map((w) => aggregatePolicy(p, [w], ctx)), info.verdict.objective);
      return report;
    });
  const report: Report = {
    schema: REPORT_SCHEMA,
    tool: { name: 'tunnelsim', version: VERSION },
    mode: 'sim',
    scenario: info,
    seed,
    replications,
    policies,
    thresholds: [],
    // Filled in with the thresholds (cli/report-io.ts); placed here so the JSON reads verdict first, worlds last.
    verdict: undefined,
    worlds: sorted,
  };
  if (shard) report.shard = `${shard.index}/${shard.count}`;
  return report;
}

/** Each headline figure (and the verdict's objective) per replication, and its 95 % interval. */
function addIntervals(p: PolicyReport, perReplication: PolicyReport[], objective: string): void {
  const keys = [...new Set([...FIGURES.filter((f) => f.headline).map((f) => f.key), objective])];
  p.replicates = {};
  p.intervals = {};
  for (const key of keys) {
    const values = perReplication.map((r) => figureValue(r, key));
    p.replicates[key] = values;
    p.intervals[key] = meanInterval(values);
  }
}

/** Adds the call timeline and, when the scenario has fault windows, the recovery figures (report/recovery.ts). */
function withRecovery(p: PolicyReport, worlds: readonly WorldRecord[], windows: readonly IncidentWindow[] | undefined): PolicyReport {
  const timeline = sumTimelines(worlds);
  if (!timeline) return p;
  return { ...p, timeline, ...(windows ? { recovery: recoveryFigures(timeline, windows) } : {}) };
}
