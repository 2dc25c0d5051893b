/**
 * `runLive`: the scenario's worlds (policy × replication), one after another, each on its own real
 * relay, connector and upstream on loopback, assembled into the same report as `runSim` with
 * `mode: "live"`. Figures read in scenario time whatever the time scale (the live clock divides
 * wall time by it). Percentile timeouts come from the simulator's calibration pass: the model is
 * what a live run checks, so both modes run the same resolved policies.
 */
import { MIN_TIME_SCALE } from './live-limits.js';
import type { UserWorkflow } from '../agent/script.js';
import { newHistogram, summarize } from '../metrics/hdr.js';
import { liveFidelity } from '../report/live-fidelity.js';
import type { Report, WorldRecord } from '../report/types.js';
import type { Scenario, Workload } from '../scenario/types.js';
import { DEFAULT_ENCODING, tokenCounter, type EncodingName } from '../tokens/tokenizer.js';
import { calibrate, needsCalibration, resolveHedgeDelays, resolveTimeouts, type Calibration } from './calibrate.js';
import type { LiveTarget } from '../live/live-system.js';
import { raiseToRealtime } from '../live/priority.js';
import { runLiveWorld, type LiveWorldOptions } from './live-world.js';
import { buildReport, planWorlds, replicationSeed, scenarioInfo } from './sim.js';
import { traceJsonl, type TracedCall } from '../scenario/trace.js';
import { VERSION } from './version.js';

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
  calibration?: Calibration;
  onWorld?: (done: number, total: number) => void;
  /** Told how late (wall ms) each injected delay and timer fired (the delay-accuracy benchmark). */
  observeTimers?: (lateMs: number) => void;
  /** The live clock scavenges between deadlines (live/idle-gc.ts); off only to measure what that buys. @default true */
  idleGc?: boolean;
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
  /**
   * Workflows of the first world to run before the measured worlds, unrecorded, at time scale
   * `WARMUP_TIME_SCALE` or faster: the JIT compiles the runner, policy, clock, SDK, relay and
   * connector code paths there instead of in the first seconds of the measurement. Not run
   * against a `target` (it would send real calls). @default 0
   */
  warmup?: number;
  /**
   * Run the agents' thread — the live clock's — at real-time priority (live/priority.ts), so the
   * kernel's own threads do not delay its timers. Throws when the system refuses. @default false
   */
  realtime?: boolean;
  /**
   * Export every world's spans — the agents' workflows and attempts, the relay's and the connector's
   * hops, the server's calls — to this OTLP/HTTP traces URL (tunnel/otel.ts). The warm-up is not
   * exported. @default undefined (no traces)
   */
  otlp?: string;
  /** Told when spans could not be exported (the endpoint is down): the run goes on without them. @default none */
  onOtlpError?: (message: string) => void;
}

/** The warm-up world's time scale at most: it only has to run the code, not keep time. */
export const WARMUP_TIME_SCALE = 0.05;

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
  if (!(timeScale >= MIN_TIME_SCALE && Number.isFinite(timeScale))) throw new RangeError(`timeScale must be a finite number ≥ ${MIN_TIME_SCALE}, got ${timeScale}`);
  const seed = opts.seed ?? sc.seed;
  const encoding = opts.encoding ?? DEFAULT_ENCODING;
  const counter = tokenCounter(encoding);
  // A live world takes real time: one replication unless the scenario asks for more.
  const replications = sc.replications ?? 1;
  const plans = planWorlds(sc, { policies: opts.policies }, replications);
  const calibration = needsCalibration(sc.policies) ? (opts.calibration ?? calibrate(sc, seed, opts.module)) : undefined;
  const worlds: WorldRecord[] = [];
  const traced: TracedCall[] = [];
  let sessions = 0;
  let misrouted = 0;
  const warmup = opts.warmup ?? 0;
  if (!(Number.isInteger(warmup) && warmup >= 0)) throw new RangeError(`warmup must be an integer ≥ 0, got ${warmup}`);
  const world = (s: Scenario, plan: (typeof plans)[number], extra: Partial<LiveWorldOptions>) => {
    const policy = s.policies[plan.policy];
    return runLiveWorld(s, policy, replicationSeed(seed, plan.replication), resolveTimeouts(s, policy, calibration), {
      timeScale,
      sessions: opts.sessions ?? DEFAULT_LIVE_SESSIONS,
      counter,
      module: opts.module,
      hedgeDelays: resolveHedgeDelays(s, policy, calibration),
      thread: opts.thread,
      idleGc: opts.idleGc,
      ...extra,
    });
  };
  // Every measured timer's lateness on the agents' thread, in ns: the run's own delay accuracy.
  const lateness = newHistogram();
  // Every answered attempt's real-stack overhead, in scenario µs: the run's own fidelity.
  const overhead = newHistogram();
  const observeOverhead = (scenarioMs: number) => overhead.recordValue(Math.round(scenarioMs * 1000));
  const observeTimers = (ms: number) => {
    lateness.recordValue(Math.round(ms * 1e6));
    opts.observeTimers?.(ms);
  };
  const restorePriority = opts.realtime ? raiseToRealtime() : undefined;
  // The SDK loads only for a run that exports.
  const otel = opts.otlp ? await import('../tunnel/otel.js') : undefined;
  const services = otel ? (['agent', 'relay', 'connector', 'mcp-server'] as const).map((s) => otel.startTracing(opts.otlp!, `tunnelsim-${s}`, VERSION, opts.onOtlpError)) : [];
  const tracing = opts.otlp ? { url: opts.otlp, agent: services[0].tracer, relay: services[1].tracer, connector: services[2].tracer, server: services[3].tracer } : undefined;
  const silent = otel?.silentTracer();
  const warmTracing = silent && { agent: silent, relay: silent, connector: silent, server: silent };
  try {
    if (warmup > 0 && !opts.target && plans.length > 0) {
      const short = { ...sc, workload: { ...sc.workload, workflows: warmup, duration: undefined } as Workload };
      await world(short, plans[0], { timeScale: Math.min(timeScale, WARMUP_TIME_SCALE), tracing: warmTracing });
    }
    for (const [i, plan] of plans.entries()) {
      const policy = sc.policies[plan.policy];
      const r = await world(sc, plan, { observeTimers, observeOverhead, target: opts.target, tracing, onCall: opts.trace && i === 0 ? (c) => traced.push(c) : undefined });
      if (opts.trace && i === 0) opts.trace(traceJsonl(traced));
      sessions = r.sessions;
      misrouted += r.misrouted;
      worlds.push(r.rec.toRecord(plan.id, policy.name, plan.replication));
      opts.onWorld?.(i + 1, plans.length);
    }
  } finally {
    restorePriority?.();
    await Promise.allSettled(services.map((s) => s.shutdown()));
  }
  const report = buildReport(scenarioInfo(sc, calibration), seed, replications, worlds);
  report.mode = 'live';
  for (const p of report.policies) p.tokens.encoding = encoding;
  report.live = { timeScale, encoding, sessions, transport: 'streamable-http', misrouted, timerLateness: summarize(lateness, 1e-6) };
  if (!opts.target) report.live.fidelity = liveFidelity(report, summarize(overhead, 1e-3), timeScale);
  if (opts.realtime) report.live.realtime = true;
  // Origin and path only: a token in the query string or user info stays out of the report.
  if (opts.target) report.live.target = ((u) => `${u.origin}${u.pathname}`)(new URL(opts.target.url));
  return report;
}
