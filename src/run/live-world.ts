/**
 * One live world: the same runner, policies, breakers and recorder as `runWorld`, on the wall
 * clock against a real relay, connector and MCP upstream (see live/). The composition root picks
 * the clock here and nowhere else; everything below receives it.
 */
import { startWorkload } from '../agent/workload.js';
import type { UserWorkflow } from '../agent/script.js';
import { Recorder } from '../metrics/recorder.js';
import { FaultModel } from '../model/faults.js';
import { makeBudget } from '../policy/budget/make.js';
import type { Policy } from '../policy/types.js';
import type { Scenario } from '../scenario/types.js';
import type { TokenCounter } from '../tokens/tokenizer.js';
import { LiveClock, LiveTimers } from '../live/live-clock.js';
import { LiveProcess } from '../live/live-process.js';
import { startLiveSystem, type LiveTarget } from '../live/live-system.js';
import { LiveTransport } from '../live/live-transport.js';
import type { TracedCall } from '../scenario/trace.js';
import type { Tracer } from '@opentelemetry/api';
import { AdaptiveLimiter } from '../policy/adaptive-limit.js';
import { makeBreakers, makeBulkheads, relaySheddingOf } from './world.js';

export interface LiveWorldOptions {
  /** Wall time per unit of scenario time. */
  timeScale: number;
  /** MCP client sessions for an open workload (a closed one opens one per agent). */
  sessions: number;
  counter: TokenCounter;
  module?: UserWorkflow;
  hedgeDelays?: number[];
  /** Told how late (wall ms) each live-clock timer fired. */
  observeTimers?: (lateMs: number) => void;
  /** Told each answered attempt's real-stack overhead (scenario ms; live-transport.ts). */
  observeOverhead?: (scenarioMs: number) => void;
  /** The live clock scavenges between deadlines (live/idle-gc.ts). @default true */
  idleGc?: boolean;
  /** Where the relay, connector and upstream run. @default 'main' */
  thread?: 'worker' | 'main';
  /** Drive this external endpoint instead of a local relay and upstream. */
  target?: LiveTarget;
  /** Told of every answered call (trace writing). */
  onCall?: (c: TracedCall) => void;
  /** Export spans of the agents (`agent`) and of the relay, connector and server (live-system.ts). @default none */
  tracing?: { url?: string; agent: Tracer; relay: Tracer; connector: Tracer; server: Tracer };
}

export interface LiveWorldResult {
  rec: Recorder;
  /** Scenario ms the world ran. */
  scenarioMs: number;
  /** Tokens counted in real result payloads. */
  payloadTokens: number;
  sessions: number;
  /** Results delivered to an attempt they did not answer (the relay's isolation check; must be 0). */
  misrouted: number;
}

export async function runLiveWorld(sc: Scenario, policy: Policy, seed: number, timeouts: number[], o: LiveWorldOptions): Promise<LiveWorldResult> {
  const clock = new LiveClock({ timeScale: o.timeScale, observe: o.observeTimers, idleGc: o.idleGc ?? true });
  const rec = new Recorder(
    sc.tools.map((t) => t.name),
    sc.windowMs,
  );
  const faults = new FaultModel(seed, sc.faults, sc.toolIndex);
  let transport: LiveTransport | undefined;
  const sessions = sc.workload.model === 'closed' ? sc.workload.agents : o.sessions;
  const system = await startLiveSystem({ sc, seed, clock, sessions, cancelHonoured: policy.cancelOnTimeout, shedding: relaySheddingOf(sc, policy), onExecuted: (tag) => transport?.executed(tag), onRelayQueue: (tag, ms) => transport?.relayQueued(tag, ms), thread: o.thread, target: o.target, tracing: o.tracing });
  let closed = false;
  try {
    transport = new LiveTransport({ sc, seed, faults, clock, rec, sessions: system.sessions, counter: o.counter, external: o.target !== undefined, onCall: o.onCall, tracer: o.tracing?.agent, observeOverhead: o.observeOverhead });
    const breakers = makeBreakers(policy, sc.tools.length, rec);
    const queues = new Map<number, LiveTimers>();
    const timers = timeouts.map((ms) => {
      if (!Number.isFinite(ms)) return undefined;
      let q = queues.get(ms);
      if (!q) queues.set(ms, (q = new LiveTimers(clock, ms)));
      return q;
    });
    const budget = policy.budget ? makeBudget(policy.budget) : undefined;
    const bulkheads = makeBulkheads(policy, sc.tools.length, clock);
    const limiter = policy.concurrencyLimit ? new AdaptiveLimiter(policy.concurrencyLimit) : undefined;
    const t = transport;
    const callContexts = sc.tools.map((tool) => ({
      scheduler: clock,
      transport: t,
      rec,
      policy,
      seed,
      idempotent: tool.idempotent,
      budget,
      bulkhead: bulkheads[tool.index],
      hedgeDelay: o.hedgeDelays?.[tool.index] ?? Infinity,
      limiter,
    }));
    const running: Promise<void>[] = [];
    let failed: unknown;
    const idle = new Promise<void>((resolve) => {
      clock.reset();
      system.syncClock();
      t.start();
      startWorkload(
        {
          kernel: clock,
          spawn: (gen) => running.push(new LiveProcess(clock, gen).run().catch((err: unknown) => ((failed ??= err), resolve()))),
          measuredResultTokens: (id) => t.measuredResultTokens(id),
          sc,
          policy,
          rec,
          seed,
          transport: t,
          timers,
          breakers: breakers.byTool,
          module: o.module,
          toolNames: sc.tools.map((x) => x.name),
          callContexts,
        },
        resolve,
      );
      // Hung calls under a policy without a timeout never finish: end the world as the simulator
      // does when its event queue runs dry. Only when the server half runs on this thread: its
      // timers (and an external target's time) are not on this clock otherwise.
      if (o.thread !== 'worker' && !o.target) clock.watchStuck(resolve, () => t.trips.quiet());
    });
    await idle;
    if (failed) throw failed;
    const end = clock.now();
    for (const b of breakers.all) {
      const since = b.openSince();
      if (since !== undefined) rec.c.breakerOpenMicros += Math.round((end - since) * 1000);
      rec.c.breakerOpens += b.opens;
    }
    rec.c.simulatedMicros = Math.round(end * 1000);
    transport.close();
    closed = true;
    rec.c.serverBusyMicros += Math.round((await system.close()) * 1000);
    return { rec, scenarioMs: end, payloadTokens: t.payloadTokens, sessions, misrouted: t.misrouted };
  } finally {
    clock.close();
    if (!closed) {
      transport?.close();
      await system.close();
    }
  }
}
