/**
 * Drives LogicalCalls by hand: a kernel, a recorder and a scripted transport whose attempt n
 * answers after `delay` ms with `outcome`. Timelines in the tests are worked out from the script.
 */
import { Kernel } from '../../src/kernel/kernel.js';
import { FixedDelayTimers } from '../../src/kernel/timers.js';
import { Recorder } from '../../src/metrics/recorder.js';
import type { AttemptFaults } from '../../src/model/faults.js';
import { makeBreaker } from '../../src/policy/breaker/make.js';
import { makeBudget } from '../../src/policy/budget/make.js';
import { Bulkhead } from '../../src/policy/bulkhead.js';
import { LogicalCall, type CallContext, type CallTransport } from '../../src/policy/caller.js';
import type { FailureKind, Policy } from '../../src/policy/types.js';
import { policyEntrySchema } from '../../src/scenario/policy-schema.js';
import { resolvePolicy } from '../../src/scenario/resolve-policy.js';
import type { SimAttempt } from '../../src/sim/attempt.js';

export interface Answer {
  delay: number;
  outcome: 'ok' | FailureKind | 'never';
  code?: number;
  retryAfter?: number;
}

export function policy(entry: Record<string, unknown>): Policy {
  return resolvePolicy(policyEntrySchema.parse({ name: 't', ...entry }), 'policies[0]', '<test>');
}

const CLEAN: AttemptFaults = { terminal: { kind: 'none' }, serviceFactor: 1, agentLinkFactor: 1, serverLinkFactor: 1 };

export interface Harness {
  kernel: Kernel;
  rec: Recorder;
  sent: { call: number; index: number; at: number; hedge: boolean }[];
  cancelled: { call: number; index: number; at: number }[];
  calls: LogicalCall[];
  /** Starts call `n` (its own identity) at the current time. */
  start(n: number): LogicalCall;
}

/** `script(call, attemptIndex)` says how each attempt answers. */
export function harness(p: Policy, script: (call: number, index: number) => Answer, opts: { idempotent?: boolean; timeout?: number } = {}): Harness {
  const kernel = new Kernel();
  const rec = new Recorder(['a'], 1000);
  const h: Harness = { kernel, rec, sent: [], cancelled: [], calls: [], start: () => undefined as never };
  const deliver = {
    fire(_k: number, ref: unknown) {
      const a = ref as SimAttempt;
      if (a.callerDone) return;
      a.callerDone = true;
      a.owner.attemptDone(a);
    },
  };
  const transport: CallTransport = {
    send(a) {
      h.sent.push({ call: a.ident.workflow, index: a.index, at: kernel.now(), hedge: a.hedge });
      const ans = script(a.ident.workflow, a.index);
      if (ans.outcome === 'never') return;
      a.outcome = ans.outcome;
      a.errorCode = ans.code ?? 0;
      a.retryAfter = ans.retryAfter ?? 0;
      kernel.after(ans.delay, deliver, 0, a);
    },
    cancel(a) {
      h.cancelled.push({ call: a.ident.workflow, index: a.index, at: kernel.now() });
    },
    decide: () => CLEAN,
  };
  const budget = p.budget ? makeBudget(p.budget) : undefined;
  const bulkhead = p.bulkhead ? new Bulkhead(kernel, p.bulkhead) : undefined;
  const breaker = p.breaker ? makeBreaker(p.breaker) : undefined;
  const timeout = opts.timeout ?? (p.timeout.default.kind === 'fixed' ? p.timeout.default.ms : undefined);
  const timers = timeout !== undefined ? new FixedDelayTimers(kernel, timeout) : undefined;
  const ctx: CallContext = {
    scheduler: kernel,
    transport,
    rec,
    policy: p,
    seed: 1,
    idempotent: opts.idempotent ?? true,
    budget,
    bulkhead,
    hedgeDelay: p.hedging?.delay.kind === 'fixed' ? p.hedging.delay.ms : Infinity,
  };
  const deadlineAt = p.deadline ?? Infinity;
  h.start = (n: number) => {
    const call = new LogicalCall(ctx, { workflow: n, key: 0, tool: 0, nextAttempt: 0, executions: 0 }, timers, deadlineAt, breaker, { callDone() {} }, kernel.now());
    h.calls.push(call);
    call.start();
    return call;
  };
  return h;
}
