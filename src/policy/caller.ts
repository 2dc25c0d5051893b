/**
 * The caller: one logical tool call under a policy. A state machine, not a promise chain — it
 * sends attempts through a `CallTransport`, arms a timeout per attempt, consults the breaker, and
 * on failure either schedules a transport-layer retry after the backoff (honouring Retry-After) or
 * finishes with the failure kind. Agent-layer retries happen above it, in the agent runner.
 * Timers come from the injected scheduler: the kernel in sim mode.
 */
import type { EventTarget } from '../kernel/queue.js';
import { keyedUniform, Purpose } from '../kernel/rng.js';
import type { AttemptFaults } from '../model/faults.js';
import type { Recorder } from '../metrics/recorder.js';
import { SimAttempt, type AttemptOwner, type CallIdentity } from '../sim/attempt.js';
import { backoffDelay } from './backoff.js';
import type { ConsecutiveBreaker } from './breaker.js';
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

export interface CallContext {
  scheduler: Scheduler;
  transport: CallTransport;
  rec: Recorder;
  policy: Policy;
  seed: number;
  idempotent: boolean;
}

export class LogicalCall implements AttemptOwner, EventTarget {
  result: 'ok' | FailureKind = 'ok';
  done = false;
  /** Attempts this call sent (transport layer). */
  attempts = 0;
  private current: SimAttempt | undefined;
  private timer = -1;
  private prevDelay = 0;
  readonly startedAt: number;
  endedAt = 0;

  constructor(
    private readonly ctx: CallContext,
    readonly ident: CallIdentity,
    /** The tool's timeout, as a fixed-delay timer queue; undefined when the policy has none. */
    private readonly timers: Timers | undefined,
    private readonly deadlineAt: number,
    private readonly breaker: ConsecutiveBreaker | undefined,
    private readonly listener: CallListener,
    /** Intended start: when the agent decided to make the call. */
    startAt: number,
  ) {
    this.startedAt = startAt;
  }

  start(): void {
    this.sendAttempt();
  }

  private sendAttempt(): void {
    const { scheduler, transport, rec } = this.ctx;
    const now = scheduler.now();
    if (now >= this.deadlineAt) return this.finish('deadline');
    if (this.breaker && !this.breaker.allow(now)) {
      rec.c.breakerRejected++;
      return this.finish('breakerOpen');
    }
    const index = this.ident.nextAttempt++;
    const a = new SimAttempt(this, this.ident, index, now, transport.decide(this.ident, index, now));
    this.current = a;
    this.attempts++;
    rec.attemptSent(now, this.ident.tool);
    transport.send(a);
    const timeout = this.timers ? this.timers.delay : Infinity;
    if (this.deadlineAt - now < timeout) scheduler.after(this.deadlineAt - now, this, K_TIMEOUT, a);
    else if (this.timers) this.timer = this.timers.add(this, K_TIMEOUT, a);
  }

  fire(kind: number, ref: unknown): void {
    if (kind === K_RETRY) return this.sendAttempt();
    const a = ref as SimAttempt;
    if (a !== this.current || a.callerDone) return;
    a.callerDone = true;
    a.outcome = this.ctx.scheduler.now() >= this.deadlineAt ? 'deadline' : 'timeout';
    this.ctx.transport.cancel(a);
    this.attemptDone(a);
  }

  attemptDone(a: SimAttempt): void {
    if (a !== this.current) return;
    this.current = undefined;
    if (this.timer >= 0) {
      this.timers!.cancel(this.timer);
      this.timer = -1;
    }
    const { rec, scheduler } = this.ctx;
    const now = scheduler.now();
    const tool = rec.tools[this.ident.tool];
    if (a.outcome !== 'timeout' && a.outcome !== 'deadline') {
      const latency = now - a.sentAt;
      rec.ms('attempt', latency);
      if (a.served) {
        tool.attempt.recordValue(Math.round(latency * 1000));
        rec.ms('relayQueue', a.relayQueueMs);
        rec.ms('serverQueue', a.serverQueueMs);
        rec.ms('server', a.serviceMs);
        rec.ms('tunnelRoundTrip', latency - a.relayQueueMs - a.serverQueueMs - a.serviceMs);
      }
    }
    if (a.outcome === 'ok') {
      this.breaker?.success(now);
      return this.finish('ok');
    }
    this.breaker?.failure(now);
    const kind = a.outcome;
    if (kind === 'timeout' || kind === 'deadline') {
      rec.c.timeouts++;
      tool.timeouts++;
    } else if (kind === 'error') {
      rec.c.errors++;
      tool.errors++;
    } else if (kind === 'rateLimited') rec.c.rateLimited++;
    if (this.canRetry(kind, now)) {
      const r = this.ctx.policy.retry;
      const u = keyedUniform(this.ctx.seed, this.ident.workflow, this.ident.key, a.index, Purpose.jitter);
      let delay = backoffDelay(r.backoff, this.attempts, this.prevDelay, u);
      this.prevDelay = delay;
      if ((kind === 'rateLimited' || kind === 'rejected') && r.honorRetryAfter) delay = Math.max(delay, a.retryAfter);
      rec.c.transportRetries++;
      scheduler.after(delay, this, K_RETRY);
      return;
    }
    this.finish(kind);
  }

  private canRetry(kind: FailureKind, now: number): boolean {
    const r = this.ctx.policy.retry;
    if (r.layer !== 'transport' || this.attempts >= r.maxAttempts || !r.retryOn.has(kind)) return false;
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
    this.listener.callDone(this);
  }
}
