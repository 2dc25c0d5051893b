/**
 * The caller: one logical tool call under a policy. A state machine, not a promise chain.
 *
 * How it works: `start` takes a bulkhead slot (or waits in its queue, or is rejected), tells the
 * retry budget a request began, and sends the first attempt. Each attempt asks the breaker first
 * (open: the call fails fast with `breakerOpen`), gets its own timeout, and — when the policy
 * hedges and the tool may be hedged — schedules a hedge: after the hedge delay, while no answer
 * has come, another attempt goes out in parallel, up to `maxHedges`. The first success wins and
 * the others are cancelled through the transport (the server may still finish them: zombies). A
 * failure while other attempts are in flight sends the next hedge at once (gRPC's rule); the last
 * failure either schedules a transport retry after the backoff (honouring Retry-After, if the
 * retry policy, the idempotency rule and the budget allow it) or finishes with the failure kind.
 * Agent-layer retries happen above, in the agent runner. Timers come from the injected scheduler.
 */
import type { EventTarget } from '../kernel/queue.js';
import { keyedUniform, Purpose } from '../kernel/rng.js';
import type { AttemptFaults } from '../model/faults.js';
import type { Recorder } from '../metrics/recorder.js';
import { SimAttempt, type AttemptOwner, type CallIdentity } from '../sim/attempt.js';
import { Sample, type AdaptiveLimiter } from './adaptive-limit.js';
import { backoffDelay } from './backoff.js';
import type { Breaker } from './breaker/breaker.js';
import { AttemptEnd, type RetryBudget } from './budget/budget.js';
import { K_SLOT, type Bulkhead } from './bulkhead.js';
import { retryable } from './retry.js';
import type { FailureKind, Policy } from './types.js';

/** What the caller needs from the system below it. */
export interface CallTransport {
  send(a: SimAttempt): void;
  cancel(a: SimAttempt): void;
  decide(ident: CallIdentity, attempt: number, now: number): AttemptFaults;
}

export interface Scheduler {
  now(): number;
  after(delay: number, target: EventTarget, kind: number, ref?: unknown): void;
}

/** Cancellable timers of one fixed delay (see kernel/timers.ts). */
export interface Timers {
  readonly delay: number;
  add(target: EventTarget, kind: number, ref: unknown): number;
  cancel(handle: number): void;
}

/** Told when the call finishes. */
export interface CallListener {
  callDone(call: LogicalCall): void;
}

const K_TIMEOUT = 1;
const K_RETRY = 2;
const K_HEDGE = 4;

export interface CallContext {
  scheduler: Scheduler;
  transport: CallTransport;
  rec: Recorder;
  policy: Policy;
  seed: number;
  idempotent: boolean;
  /** The world's retry budget, shared by every tool. */
  budget?: RetryBudget;
  /** The bulkhead this tool's calls take a slot from. */
  bulkhead?: Bulkhead;
  /** Delay before each hedge for this tool (Infinity: no hedging). */
  hedgeDelay?: number;
  /** Told of every completed attempt's latency (the calibration pass's steady-state recorder). */
  observer?: AttemptObserver;
  /** The world's adaptive concurrency limit on attempts in flight, shared by every tool. */
  limiter?: AdaptiveLimiter;
}

export interface AttemptObserver {
  attempt(tool: number, sentAt: number, latencyMs: number): void;
}

const NONE_LIVE: SimAttempt[] = [];

export class LogicalCall implements AttemptOwner, EventTarget {
  result: 'ok' | FailureKind = 'ok';
  /** JSON-RPC code of the last `error` outcome. */
  errorCode = 0;
  done = false;
  /** Attempts this call sent (transport layer, hedges included). */
  attempts = 0;
  /** First attempt and transport retries, hedges excluded: what maxAttempts counts. */
  private tries = 0;
  private hedges = 0;
  /**
   * Attempts the caller still waits for. Starts as the shared empty array, never written: the first
   * attempt gets a one-slot array, where a push into a fresh one reserved sixteen (0.1 kB per call).
   */
  private live: SimAttempt[] = NONE_LIVE;
  private prevDelay = 0;
  private slot = false;
  readonly startedAt: number;
  endedAt = 0;

  constructor(
    private readonly ctx: CallContext,
    readonly ident: CallIdentity,
    /** The tool's timeout, as a fixed-delay timer queue; undefined when the policy has none. */
    private readonly timers: Timers | undefined,
    private readonly deadlineAt: number,
    private readonly breaker: Breaker | undefined,
    private readonly listener: CallListener,
    /** Intended start: when the agent decided to make the call. */
    startAt: number,
  ) {
    this.startedAt = startAt;
  }

  start(): void {
    const bulkhead = this.ctx.bulkhead;
    if (bulkhead) {
      const admission = bulkhead.acquire(this);
      if (admission === 'queued') return;
      if (admission === 'rejected') {
        this.ctx.rec.c.bulkheadRejected++;
        this.ctx.rec.tools[this.ident.tool].rejected++;
        return this.finish('bulkheadRejected');
      }
      this.slot = true;
    }
    this.begin();
  }

  private begin(): void {
    this.ctx.budget?.request(this.ctx.scheduler.now());
    this.sendAttempt(false);
  }

  private sendAttempt(hedge: boolean): void {
    const { scheduler, transport, rec } = this.ctx;
    const now = scheduler.now();
    if (!hedge) {
      if (now >= this.deadlineAt) return this.finish('deadline');
      if (this.breaker && !this.breaker.allow(now)) {
        rec.c.breakerRejected++;
        rec.tools[this.ident.tool].rejected++;
        return this.finish('breakerOpen');
      }
    }
    const limiter = this.ctx.limiter;
    const permit = limiter ? limiter.acquire() : 0;
    if (limiter && permit === 0) {
      rec.c.limitRejected++;
      // Over the limit: a hedge is simply not sent; a first attempt or a retry fails the call.
      if (!hedge) this.finish('limited');
      return;
    }
    const index = this.ident.nextAttempt++;
    const a = new SimAttempt(this, this.ident, index, now, transport.decide(this.ident, index, now));
    a.permit = permit;
    a.hedge = hedge;
    a.retry = !hedge && this.tries > 0;
    if (hedge) {
      this.hedges++;
      rec.c.hedgesSent++;
    } else this.tries++;
    if (this.live.length === 0) this.live = [a];
    else this.live.push(a);
    this.attempts++;
    rec.attemptSent(now, this.ident.tool);
    this.ctx.budget?.sent(now, a.retry);
    transport.send(a);
    const timeout = this.timers ? this.timers.delay : Infinity;
    if (this.deadlineAt - now < timeout) scheduler.after(this.deadlineAt - now, this, K_TIMEOUT, a);
    else if (this.timers) a.timer = this.timers.add(this, K_TIMEOUT, a);
    if (this.mayHedge()) scheduler.after(this.ctx.hedgeDelay!, this, K_HEDGE, a);
  }

  private mayHedge(): boolean {
    const h = this.ctx.policy.hedging;
    return h !== undefined && this.hedges < h.maxHedges && (this.ctx.idempotent || h.nonIdempotent) && this.ctx.hedgeDelay! < Infinity;
  }

  fire(kind: number, ref: unknown): void {
    if (kind === K_RETRY) return this.sendAttempt(false);
    if (kind === K_SLOT) {
      this.slot = true;
      return this.begin();
    }
    const a = ref as SimAttempt;
    if (kind === K_HEDGE) {
      // Hedge only while the attempt that armed this timer is still the newest one waiting.
      if (!this.done && !a.callerDone && this.live[this.live.length - 1] === a && this.mayHedge()) this.sendAttempt(true);
      return;
    }
    if (a.callerDone) return;
    a.callerDone = true;
    a.timer = -1;
    a.outcome = this.ctx.scheduler.now() >= this.deadlineAt ? 'deadline' : 'timeout';
    this.ctx.transport.cancel(a);
    this.attemptDone(a);
  }

  attemptDone(a: SimAttempt): void {
    const live = this.live;
    const i = live.indexOf(a);
    if (i < 0) return;
    // Shifted down by hand: splice builds an array of the removed attempt, once per attempt.
    for (let k = i + 1; k < live.length; k++) live[k - 1] = live[k];
    live.pop();
    if (a.timer >= 0) {
      this.timers!.cancel(a.timer);
      a.timer = -1;
    }
    const { rec, scheduler, budget } = this.ctx;
    const now = scheduler.now();
    const latency = now - a.sentAt;
    const tool = rec.tools[this.ident.tool];
    if (a.permit > 0) {
      this.ctx.limiter!.release(limitSample(a.outcome), latency, a.permit);
      a.permit = 0;
    }
    // Every attempt the caller waited for counts, a timed-out one at its timeout: leaving those
    // out would make the attempt tail look best exactly when attempts hang.
    const lat = rec.latency;
    // The world's `attempt` histogram is the sum of the tools' `waited` (Recorder.histogram).
    tool.waited.recordValue(Math.round(latency * 1000));
    if (a.served && a.outcome !== 'timeout' && a.outcome !== 'deadline') {
      this.ctx.observer?.attempt(this.ident.tool, a.sentAt, latency);
      // Named histograms, not rec.ms(name): one keyed lookup by many names was a hot megamorphic site.
      lat.relayQueue.recordValue(Math.round(a.relayQueueMs * 1000));
      lat.serverQueue.recordValue(Math.round(a.serverQueueMs * 1000));
      lat.server.recordValue(Math.round(a.serviceMs * 1000));
      lat.tunnelRoundTrip.recordValue(Math.round((latency - a.relayQueueMs - a.serverQueueMs - a.serviceMs) * 1000));
    }
    if (a.outcome === 'ok') {
      this.breaker?.success(now, latency);
      budget?.ended(now, a.retry, AttemptEnd.Ok);
      if (a.hedge) rec.c.hedgesWon++;
      this.cancelLosers(now);
      return this.finish('ok');
    }
    const kind = a.outcome;
    this.breaker?.failure(now, latency);
    const r = this.ctx.policy.retry;
    budget?.ended(now, a.retry, retryable(r, kind, a.errorCode) ? AttemptEnd.RetryableFailure : AttemptEnd.OtherFailure);
    if (kind === 'timeout' || kind === 'deadline') {
      rec.c.timeouts++;
      tool.timeouts++;
    } else if (kind === 'error') {
      rec.c.errors++;
      tool.errors++;
      this.errorCode = a.errorCode;
    } else if (kind === 'rateLimited') rec.c.rateLimited++;
    if (this.live.length > 0) {
      // Others are still in flight: wait for them, and hedge again at once if allowed.
      if (kind !== 'deadline' && this.mayHedge()) this.sendAttempt(true);
      return;
    }
    if (this.canRetry(kind, a.errorCode, now)) {
      if (budget && !budget.tryRetry(now)) {
        rec.c.budgetExhausted++;
        return this.finish(kind);
      }
      const u = keyedUniform(this.ctx.seed, this.ident.workflow, this.ident.key, a.index, Purpose.jitter);
      let delay = backoffDelay(r.backoff, this.tries, this.prevDelay, u);
      this.prevDelay = delay;
      if ((kind === 'rateLimited' || kind === 'rejected') && r.honorRetryAfter) delay = Math.max(delay, a.retryAfter);
      rec.c.transportRetries++;
      scheduler.after(delay, this, K_RETRY);
      return;
    }
    this.finish(kind);
  }

  /** The call has its answer: every other attempt still in flight is cancelled, and wasted. */
  private cancelLosers(now: number): void {
    const { transport, rec, budget } = this.ctx;
    for (const loser of this.live) {
      loser.callerDone = true;
      if (loser.timer >= 0) {
        this.timers!.cancel(loser.timer);
        loser.timer = -1;
      }
      transport.cancel(loser);
      if (loser.permit > 0) {
        this.ctx.limiter!.release(Sample.Ignore, 0, loser.permit);
        loser.permit = 0;
      }
      budget?.ended(now, loser.retry, AttemptEnd.Cancelled);
      rec.c.hedgesWasted++;
    }
    if (this.live.length > 0) this.live.length = 0;
  }

  private canRetry(kind: FailureKind, errorCode: number, now: number): boolean {
    const r = this.ctx.policy.retry;
    if (r.layer !== 'transport' || this.tries >= r.maxAttempts || !retryable(r, kind, errorCode)) return false;
    if (kind === 'deadline' || now >= this.deadlineAt) return false;
    // A request that never reached the server is safe to resend; one that may have run is not,
    // for a tool with side effects, unless the policy says so.
    const neverRan = kind === 'rejected' || kind === 'unavailable' || kind === 'rateLimited';
    return neverRan || this.ctx.idempotent || r.retryNonIdempotent;
  }

  private finish(result: 'ok' | FailureKind): void {
    this.done = true;
    this.result = result;
    this.endedAt = this.ctx.scheduler.now();
    if (this.slot) {
      this.slot = false;
      this.ctx.bulkhead!.release();
    }
    this.listener.callDone(this);
  }
}

/** What an attempt's end tells the concurrency limit: overload signals are drops, an application error says nothing. */
function limitSample(outcome: 'ok' | FailureKind): number {
  if (outcome === 'ok') return Sample.Ok;
  return outcome === 'error' ? Sample.Ignore : Sample.Drop;
}
