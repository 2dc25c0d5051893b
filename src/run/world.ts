/**
 * Builds and runs one world: a kernel, the fault model, the simulated system, the policy's
 * breakers and timeouts, the workload. A world is the unit of determinism and of sharding: its
 * result depends only on (scenario, seed, policy, calibrated timeouts).
 */
import { Kernel } from '../kernel/kernel.js';
import { Process } from '../kernel/process.js';
import { FixedDelayTimers } from '../kernel/timers.js';
import { Recorder } from '../metrics/recorder.js';
import { FaultModel } from '../model/faults.js';
import type { Breaker, BreakerState } from '../policy/breaker/breaker.js';
import { makeBreaker } from '../policy/breaker/make.js';
import { makeBudget } from '../policy/budget/make.js';
import { Bulkhead, type BulkheadScheduler } from '../policy/bulkhead.js';
import type { AttemptObserver, CallTransport } from '../policy/caller.js';
import { AdaptiveLimiter } from '../policy/adaptive-limit.js';
import type { Policy, SheddingSpec } from '../policy/types.js';
import { startWorkload } from '../agent/workload.js';
import type { UserWorkflow } from '../agent/script.js';
import type { Scenario } from '../scenario/types.js';
import { estimateWork } from '../scenario/work.js';
import { World } from '../sim/world.js';
import type { SpanCapture } from './span-capture.js';

export interface WorldResult {
  rec: Recorder;
  simulatedMs: number;
  events: number;
}

/**
 * `timeouts` and `hedgeDelays` are per tool index, in ms (Infinity: none), resolved from the
 * policy and the calibration pass (see calibrate.ts).
 */
export interface WorldExtras {
  /** Span capture (run --format otlp): wraps the world's transport to watch its attempts. */
  spans?: (now: () => number) => SpanCapture;
  /** Told of every workflow start and completed attempt (the calibration pass). */
  observer?: AttemptObserver & { workflowStarted(t: number): void };
  /** Run workflows as generator processes instead of state machines (the equivalence test). */
  generators?: boolean;
  /**
   * Told the share of the world done (0 to 1) after every `PROGRESS_SLICE_MS` of virtual time: the
   * kernel then runs in slices, which fires the same events in the same order (run progress).
   */
  onProgress?: (fraction: number) => void;
}

/** Virtual time between two progress reports of a world. */
export const PROGRESS_SLICE_MS = 1000;

/**
 * The share of a world done at virtual time `now`: workflows ended out of those it will start when
 * that is the stop condition, simulated time out of the `duration` when it has one — the larger,
 * below 1 until the world ends. An estimate for a progress line, never a figure of the report.
 */
export function worldShare(sc: Scenario, rec: Recorder): (now: number) => number {
  const e = estimateWork(sc);
  const counted = e.workflowsPerWorld !== undefined && (sc.workload.model === 'open' || sc.workload.workflows !== undefined) ? e.workflowsPerWorld : undefined;
  const timed = e.simulatedMs !== undefined && Number.isFinite(e.simulatedMs) && e.simulatedMs > 0 ? e.simulatedMs : undefined;
  return (now) => {
    const byCount = counted ? (rec.c.workflowsCompleted + rec.c.workflowsFailed) / counted : 0;
    const byTime = timed ? now / timed : 0;
    return Math.min(0.999, Math.max(byCount, byTime));
  };
}

export function runWorld(sc: Scenario, policy: Policy, seed: number, timeouts: number[], module?: UserWorkflow, hedgeDelays?: number[], extras: WorldExtras = {}): WorldResult {
  const { spans, observer, generators, onProgress } = extras;
  const kernel = new Kernel();
  const rec = new Recorder(
    sc.tools.map((t) => t.name),
    sc.windowMs,
  );
  const faults = new FaultModel(seed, sc.faults, sc.toolIndex);
  const world = new World(kernel, sc, faults, rec, seed, policy.cancelOnTimeout, relaySheddingOf(sc, policy));
  const direct: CallTransport = {
    send: (a) => world.send(a),
    cancel: (a) => world.cancel(a),
    decide: (id, attempt, now) => faults.decideAttempt(id.workflow, id.key, attempt, id.tool, now),
  };
  // Span capture (run --format otlp) watches the attempts; without it the world's transport is used as is.
  const transport = spans ? spans(() => kernel.now()).wrap(direct) : direct;
  const breakers = makeBreakers(policy, sc.tools.length, rec);
  // One timer queue per distinct timeout value: tools that share a timeout share a queue.
  const queues = new Map<number, FixedDelayTimers>();
  const timers = timeouts.map((ms) => {
    if (!Number.isFinite(ms)) return undefined;
    let q = queues.get(ms);
    if (!q) queues.set(ms, (q = new FixedDelayTimers(kernel, ms)));
    return q;
  });
  // One budget per world: a retry budget limits one client, whichever tool it calls.
  const budget = policy.budget ? makeBudget(policy.budget) : undefined;
  const bulkheads = makeBulkheads(policy, sc.tools.length, kernel);
  // One limit per world, like the budget: it limits one client's attempts in flight.
  const limiter = policy.concurrencyLimit ? new AdaptiveLimiter(policy.concurrencyLimit) : undefined;
  const callContexts = sc.tools.map((t) => ({
    scheduler: kernel,
    transport,
    rec,
    policy,
    seed,
    idempotent: t.idempotent,
    budget,
    bulkhead: bulkheads[t.index],
    hedgeDelay: hedgeDelays?.[t.index] ?? Infinity,
    observer,
    limiter,
  }));
  let idle = false;
  startWorkload(
    {
      kernel,
      spawn: generators ? (gen) => new Process(kernel, gen).start() : undefined,
      sc,
      policy,
      rec,
      seed,
      transport,
      timers,
      breakers: breakers.byTool,
      module,
      toolNames: sc.tools.map((t) => t.name),
      callContexts,
      observer,
      spares: { steps: [], ledgers: [] },
    },
    () => {
      idle = true;
      kernel.stop();
    },
  );
  if (!onProgress) kernel.run();
  else {
    const share = worldShare(sc, rec);
    for (let until = PROGRESS_SLICE_MS; ; until += PROGRESS_SLICE_MS) {
      kernel.run(until);
      if (idle || kernel.pending === 0) break;
      onProgress(share(kernel.now()));
    }
  }
  const end = kernel.now();
  world.flushUtilisation();
  for (const b of breakers.all) {
    const since = b.openSince();
    if (since !== undefined) rec.c.breakerOpenMicros += Math.round((end - since) * 1000);
    rec.c.breakerOpens += b.opens;
  }
  rec.c.simulatedMicros = Math.round(end * 1000);
  return { rec, simulatedMs: end, events: kernel.fired };
}

/** The relay's shedding in this policy's world: the policy's own, else the scenario's. */
export function relaySheddingOf(sc: Scenario, policy: Policy): SheddingSpec | undefined {
  const s = policy.relayShedding ?? sc.relay.shedding;
  return s === 'none' ? undefined : s;
}

export function makeBulkheads(policy: Policy, tools: number, kernel: BulkheadScheduler): (Bulkhead | undefined)[] {
  const spec = policy.bulkhead;
  if (!spec) return new Array<undefined>(tools).fill(undefined);
  if (spec.scope === 'world') return new Array<Bulkhead>(tools).fill(new Bulkhead(kernel, spec));
  return Array.from({ length: tools }, () => new Bulkhead(kernel, spec));
}

export function makeBreakers(policy: Policy, tools: number, rec: Recorder) {
  const spec = policy.breaker;
  if (!spec) return { byTool: new Array<undefined>(tools).fill(undefined), all: [] as Breaker[] };
  const listener = {
    transition: (t: number, s: BreakerState) => rec.breakerTransition(t, s),
    openTime: (ms: number) => {
      rec.c.breakerOpenMicros += Math.round(ms * 1000);
    },
  };
  if (spec.scope === 'tunnel') {
    const b = makeBreaker(spec, listener);
    return { byTool: new Array<Breaker>(tools).fill(b), all: [b] };
  }
  const all = Array.from({ length: tools }, () => makeBreaker(spec, listener));
  return { byTool: all, all };
}
