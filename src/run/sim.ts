/**
 * `runSim`: a run is a set of independent worlds, one per policy × replication, each with its own
 * kernel and recorder. Worlds are listed in a canonical order (scenario policy order, then
 * replication); a shard `i/n` runs the worlds whose position p satisfies p mod n = i − 1. The
 * report keeps each world's raw record, so `merge` of all shards rebuilds the same figures.
 */
import type { UserWorkflow } from '../agent/script.js';
import { deriveSeed } from '../kernel/rng.js';
import { TunnelsimError } from '../errors.js';
import { REPORT_SCHEMA, type PolicyReport, type Report, type ScenarioInfo, type WorldRecord } from '../report/types.js';
import type { FaultWindow } from '../report/recovery.js';
import type { Scenario } from '../scenario/types.js';
import { aggregatePolicy } from './aggregate.js';
import { calibrate, calibrationInfo, needsCalibration, resolveHedgeDelays, resolveTimeouts, type Calibration } from './calibrate.js';
import { recoveryFigures, sumTimelines } from '../report/recovery.js';
import { isWindowed } from '../scenario/fault-schema.js';
import { VERSION } from './version.js';
import { runWorld } from './world.js';

export interface Shard {
  index: number;
  count: number;
}

export interface SimOptions {
  /** Overrides the scenario's seed. */
  seed?: number;
  /** Run only these policies (names). */
  policies?: string[];
  shard?: Shard;
  /** A loaded workflow module, when the scenario names one. */
  module?: UserWorkflow;
  /** Called after each world finishes (progress display). */
  onWorld?: (done: number, total: number) => void;
  /** A calibration pass already run for this scenario and seed (tune reuses one across candidates). */
  calibration?: Calibration;
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

export function planWorlds(sc: Scenario, opts: Pick<SimOptions, 'policies' | 'shard'>): WorldPlan[] {
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
    for (let r = 0; r < sc.replications; r++) plans.push({ id: `${p.name}#${r}`, policy, replication: r, position: position++ });
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
    })),
    pricing: { ...sc.llm.pricing },
    windowMs: sc.windowMs,
    thresholds: sc.thresholds,
    system: { serverConcurrency: sc.server.concurrency, relayMaxInFlight: sc.relay.maxInFlightPerTunnel },
  };
  if (calibration) info.calibration = calibrationInfo(sc, calibration);
  const windows = sc.faults.flatMap((f, fault) => (isWindowed(f) && f.to !== undefined ? [{ fault, kind: f.kind, fromMs: f.from ?? 0, toMs: f.to }] : []));
  if (windows.length > 0) info.faultWindows = windows;
  return info;
}

export function runSim(sc: Scenario, opts: SimOptions = {}): Report {
  const seed = opts.seed ?? sc.seed;
  const plans = planWorlds(sc, opts);
  const calibration = needsCalibration(sc.policies) ? (opts.calibration ?? calibrate(sc, seed, opts.module)) : undefined;
  const worlds: WorldRecord[] = [];
  plans.forEach((plan, i) => {
    const policy = sc.policies[plan.policy];
    const timeouts = resolveTimeouts(sc, policy, calibration);
    const { rec } = runWorld(sc, policy, replicationSeed(seed, plan.replication), timeouts, opts.module, resolveHedgeDelays(sc, policy, calibration));
    worlds.push(rec.toRecord(plan.id, policy.name, plan.replication));
    opts.onWorld?.(i + 1, plans.length);
  });
  return buildReport(scenarioInfo(sc, calibration), seed, sc.replications, worlds, opts.shard);
}

/** Assembles a report from world records (used by runSim and by merge). */
export function buildReport(info: ScenarioInfo, seed: number, replications: number, worlds: WorldRecord[], shard?: Shard): Report {
  const order = new Map(info.policies.map((p, i) => [p.name, i]));
  const sorted = [...worlds].sort((a, b) => order.get(a.policy)! - order.get(b.policy)! || a.replication - b.replication);
  const policies = info.policies
    .filter((p) => sorted.some((w) => w.policy === p.name))
    .map((p) =>
      withRecovery(
        aggregatePolicy(
          p,
          sorted.filter((w) => w.policy === p.name),
          { llm: { pricing: info.pricing } as Scenario['llm'], windowMs: info.windowMs, system: info.system },
        ),
        sorted.filter((w) => w.policy === p.name),
        info.faultWindows,
      ),
    );
  const report: Report = {
    schema: REPORT_SCHEMA,
    tool: { name: 'tunnelsim', version: VERSION },
    mode: 'sim',
    scenario: info,
    seed,
    replications,
    policies,
    thresholds: [],
    worlds: sorted,
  };
  if (shard) report.shard = `${shard.index}/${shard.count}`;
  return report;
}

/** Adds the goodput series and, when the scenario has fault windows, the recovery figures (report/recovery.ts). */
function withRecovery(p: PolicyReport, worlds: readonly WorldRecord[], windows: readonly FaultWindow[] | undefined): PolicyReport {
  const goodput = sumTimelines(worlds);
  if (!goodput) return p;
  return { ...p, goodput, ...(windows ? { recovery: recoveryFigures(goodput, windows) } : {}) };
}
