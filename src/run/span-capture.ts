/**
 * Captures a simulated world's attempts as span data (report/otlp-sim.ts) by wrapping the world's
 * call transport: `send` starts an attempt, the world's answer (its owner's `attemptDone`) or the
 * caller's `cancel` (timeout, a hedge that lost) ends it. Only workflows below `maxWorkflows` are
 * kept, so an exported run stays a size a trace viewer opens. Nothing changes for the simulation:
 * the wrapper forwards every call as it came, and it is only built when spans are asked for.
 */
import type { CallTransport } from '../policy/caller.js';
import type { SimAttemptSpan, SimWorldSpans } from '../report/otlp-sim.js';
import type { AttemptOwner, SimAttempt } from '../sim/attempt.js';

/** Workflows per world that `run --format otlp` exports unless told otherwise. */
export const DEFAULT_OTLP_WORKFLOWS = 100;

export class SpanCapture {
  private readonly open = new Map<SimAttempt, SimAttemptSpan>();
  readonly attempts: SimAttemptSpan[] = [];

  constructor(
    private readonly tools: readonly string[],
    private readonly now: () => number,
    private readonly maxWorkflows: number,
  ) {
    if (!(Number.isInteger(maxWorkflows) && maxWorkflows >= 1)) throw new RangeError(`maxWorkflows must be an integer ≥ 1, got ${maxWorkflows}`);
  }

  wrap(inner: CallTransport): CallTransport {
    return {
      decide: (id, attempt, now) => inner.decide(id, attempt, now),
      send: (a) => {
        if (a.ident.workflow < this.maxWorkflows) this.start(a);
        inner.send(a);
      },
      cancel: (a) => {
        this.end(a, a.outcome === 'ok' ? 'cancelled' : a.outcome);
        inner.cancel(a);
      },
    };
  }

  /** The world is over: attempts still open end at `endMs`, unanswered. */
  finish(world: Omit<SimWorldSpans, 'attempts' | 'endMs'>, endMs: number): SimWorldSpans {
    for (const s of this.open.values()) s.outcome = 'unanswered';
    this.open.clear();
    return { ...world, endMs, attempts: this.attempts };
  }

  private start(a: SimAttempt): void {
    const s: SimAttemptSpan = { workflow: a.ident.workflow, key: a.ident.key, attempt: a.index, tool: this.tools[a.ident.tool], start: a.sentAt, outcome: 'unanswered', errorCode: 0, retry: a.retry, hedge: a.hedge };
    this.open.set(a, s);
    this.attempts.push(s);
    const owner = a.owner;
    // The world answers through `owner`; the field is readonly to the model, not to its observer.
    (a as { owner: AttemptOwner }).owner = {
      attemptDone: (x: SimAttempt) => {
        this.end(x, x.outcome);
        owner.attemptDone(x);
      },
    };
  }

  private end(a: SimAttempt, outcome: string): void {
    const s = this.open.get(a);
    if (!s) return;
    this.open.delete(a);
    s.end = this.now();
    s.outcome = outcome;
    s.errorCode = a.errorCode;
    if (a.served && outcome !== 'cancelled' && outcome !== 'timeout' && outcome !== 'deadline') {
      s.server = { arrivedAt: a.serverArrivedAt, queueMs: a.serverQueueMs, serviceMs: a.serviceMs };
    }
  }
}
