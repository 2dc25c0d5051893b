/**
 * `runLive`: the scenario's worlds (policy × replication), one after another, each on its own real
 * relay, connector and upstream on loopback, assembled into the same report as `runSim` with
 * `mode: "live"`. Figures read in scenario time whatever the time scale (the live clock divides
 * wall time by it). Percentile timeouts come from the simulator's calibration pass: the model is
 * what a live run checks, so both modes run the same resolved policies.
 */
import type { UserWorkflow } from '../agent/script.js';
import type { Histogram } from '../metrics/hdr.js';
import type { Report, WorldRecord } from '../report/types.js';
import type { Scenario, Workload } from '../scenario/types.js';
import { DEFAULT_ENCODING, tokenCounter, type EncodingName } from '../tokens/tokenizer.js';
import { calibrate, needsCalibration, resolveHedgeDelays, resolveTimeouts } from './calibrate.js';
import type { LiveTarget } from '../live/live-system.js';
import { runLiveWorld } from './live-world.js';
import { buildReport, planWorlds, replicationSeed, scenarioInfo } from './sim.js';
import { traceJsonl, type TracedCall } from '../scenario/trace.js';

export interface LiveOptions {
  /** Wall time per unit of scenario time (0.05: twenty times faster). @default 1 */
  timeScale?: number;
  /** Stop starting workflows after this many scenario ms (overrides the workload's). @default the scenario's */
  duration?: number;
  /** Overrides the scenario's seed. */
  seed?: number;
  /** Run only these policies. */
  policies?: string[];
  /** MCP client sessions for an open workload. @default 64 */
  sessions?: number;
  /** Tokenizer encoding for result payloads. @default DEFAULT_ENCODING */
  encoding?: EncodingName;
  module?: UserWorkflow;
  /** A calibration pass already run (calibrate reuses the sim's). */
  calibration?: Histogram[];
  onWorld?: (done: number, total: number) => void;
  /** Told how late (wall ms) each injected delay and timer fired (the delay-accuracy benchmark). */
  observeTimers?: (lateMs: number) => void;
  /** Where the relay, connector and upstream run: the agents' thread, or a worker thread of their own. @default 'main' */
  thread?: 'worker' | 'main';
  /**
   * Drive an external Streamable HTTP endpoint with the scenario's workflows and policies. Its
   * network and server are real: no delay or fault is injected, and arguments come from the
   * scenario's `args` templates. @default undefined (a local relay, connector and upstream)
   */
  target?: LiveTarget;
  /** Receives the trace of the first world's answered calls (JSONL, scenario/trace.ts), for replay. */
  trace?: (jsonl: string) => void;
}

export const DEFAULT_LIVE_SESSIONS = 64;

/** The scenario with `duration` as its workload's stop time (in scenario ms). */
export function withDuration(sc: Scenario, duration: number | undefined): Scenario {
  if (duration === undefined) return sc;
  if (!(duration > 0)) throw new RangeError(`duration must be > 0, got ${duration}`);
  return { ...sc, workload: { ...sc.workload, duration } as Workload };
}

export async function runLive(scenario: Scenario, opts: LiveOptions = {}): Promise<Report> {
  const sc = withDuration(scenario, opts.duration);
  const timeScale = opts.timeScale ?? 1;
  const seed = opts.seed ?? sc.seed;
  const encoding = opts.encoding ?? DEFAULT_ENCODING;
  const counter = tokenCounter(encoding);
  const plans = planWorlds(sc, { policies: opts.policies });
  const calibration = needsCalibration(sc.policies) ? (opts.calibration ?? calibrate(sc, seed, opts.module)) : undefined;
  const worlds: WorldRecord[] = [];
  const traced: TracedCall[] = [];
  let sessions = 0;
  let misrouted = 0;
  for (const [i, plan] of plans.entries()) {
    const policy = sc.policies[plan.policy];
    const r = await runLiveWorld(sc, policy, replicationSeed(seed, plan.replication), resolveTimeouts(sc, policy, calibration), {
      timeScale,
      sessions: opts.sessions ?? DEFAULT_LIVE_SESSIONS,
      counter,
      module: opts.module,
      hedgeDelays: resolveHedgeDelays(sc, policy, calibration),
      observeTimers: opts.observeTimers,
      thread: opts.thread,
      target: opts.target,
      onCall: opts.trace && i === 0 ? (c) => traced.push(c) : undefined,
    });
    if (opts.trace && i === 0) opts.trace(traceJsonl(traced));
    sessions = r.sessions;
    misrouted += r.misrouted;
    worlds.push(r.rec.toRecord(plan.id, policy.name, plan.replication));
    opts.onWorld?.(i + 1, plans.length);
  }
  const report = buildReport(scenarioInfo(sc, calibration), seed, sc.replications, worlds);
  report.mode = 'live';
  for (const p of report.policies) p.tokens.encoding = encoding;
  report.live = { timeScale, encoding, sessions, transport: 'streamable-http', misrouted };
  // Origin and path only: a token in the query string or user info stays out of the report.
  if (opts.target) report.live.target = ((u) => `${u.origin}${u.pathname}`)(new URL(opts.target.url));
  return report;
}
