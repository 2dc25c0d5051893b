/**
 * Retry budgets: hand-worked refusals, and the steady-state retry ratio each allows.
 */
import { describe, expect, it } from 'vitest';
import { AttemptEnd } from '../../src/policy/budget/budget.js';
import { EnvoyBudget } from '../../src/policy/budget/envoy.js';
import { FinagleBudget } from '../../src/policy/budget/finagle.js';
import { GrpcThrottle } from '../../src/policy/budget/grpc.js';
import { WindowedAdder } from '../../src/policy/budget/windowed-adder.js';
import { runSim } from '../../src/run/sim.js';
import { scenario } from '../helpers/scenario.js';

describe('WindowedAdder', () => {
  it('sums the last range and drops what is older', () => {
    const w = new WindowedAdder(10_000, 10);
    w.add(0, 5);
    w.add(4_500, 2);
    expect(w.sum(9_999)).toBe(7);
    expect(w.sum(10_000)).toBe(2); // the 0–1 s slice left the window
    expect(w.sum(15_000)).toBe(0);
  });
});

describe('FinagleBudget', () => {
  it('refuses the retry that would exceed percentCanRetry of the requests', () => {
    const b = new FinagleBudget({ ttl: 10_000, minRetriesPerSec: 0, percentCanRetry: 0.5 });
    for (let i = 0; i < 4; i++) b.request(i);
    expect(b.tryRetry(10)).toBe(true);
    expect(b.tryRetry(11)).toBe(true);
    expect(b.tryRetry(12)).toBe(false); // 4 requests × 0.5 = 2 retries
    b.request(13);
    b.request(14);
    expect(b.tryRetry(15)).toBe(true);
  });

  it('keeps a reserve of minRetriesPerSec × ttl that never expires', () => {
    const b = new FinagleBudget({ ttl: 2_000, minRetriesPerSec: 3, percentCanRetry: 0.1 });
    let granted = 0;
    while (b.tryRetry(0)) granted++;
    expect(granted).toBe(6);
    // Withdrawals expire with the window, so the reserve is back a ttl later.
    expect(b.balance(2_000)).toBe(6);
  });

  it('lets retries / requests tend to percentCanRetry when every attempt fails', () => {
    const p = 0.2;
    const sc = scenario({
      workload: { model: 'open', arrivalRate: 100, agents: null, workflows: 20_000 },
      workflow: { steps: 1 },
      faults: [{ kind: 'error', probability: 1 }],
      policies: [{ name: 'f', retry: { maxAttempts: 10 }, budget: { kind: 'finagle', ttl: '10s', minRetriesPerSec: 0, percentCanRetry: p } }],
    });
    const r = runSim(sc).policies[0];
    // Unbudgeted, each call would retry 9 times; the budget grants p per request. Deposits that
    // expire unused (the first window's) and the 1/p granularity bound the shortfall: 2 %.
    expect(Math.abs(r.calls.transportRetries / r.calls.logical - p)).toBeLessThan(0.02 * p);
    expect(r.calls.budgetExhausted).toBeGreaterThan(0.9 * r.calls.logical);
  });
});

describe('GrpcThrottle', () => {
  it('allows retries only while tokens stay above maxTokens / 2', () => {
    const t = new GrpcThrottle({ kind: 'grpc', maxTokens: 10, tokenRatio: 0.5 });
    const fails = (k: number) => {
      for (let i = 0; i < k; i++) t.ended(0, false, AttemptEnd.RetryableFailure);
    };
    fails(4);
    expect(t.tryRetry()).toBe(true); // 6 > 5
    fails(1);
    expect(t.tryRetry()).toBe(false); // 5 is not > 5
    t.ended(0, false, AttemptEnd.OtherFailure);
    expect(t.tokens).toBe(5); // non-retryable failures do not count
    t.ended(0, false, AttemptEnd.Ok);
    expect(t.tryRetry()).toBe(true); // 5.5
    for (let i = 0; i < 20; i++) t.ended(0, false, AttemptEnd.Ok);
    expect(t.tokens).toBe(10); // capped at maxTokens
  });

  it('never throttles while successes outpace failures by more than 1 / tokenRatio', () => {
    // Failure rate f per attempt: the token drift (1 − f)·ratio − f > 0 keeps tokens near the
    // top, so no retry is refused and retries follow the unthrottled 1 − pᵏ law.
    const f = 0.2;
    const sc = scenario({
      workload: { model: 'open', arrivalRate: 100, agents: null, workflows: 20_000 },
      workflow: { steps: 1 },
      faults: [{ kind: 'error', probability: f }],
      policies: [{ name: 'g', retry: { maxAttempts: 3 }, budget: { kind: 'grpc', maxTokens: 100, tokenRatio: 0.5 } }],
    });
    const r = runSim(sc).policies[0];
    expect(r.calls.budgetExhausted).toBe(0);
    // Mean attempts per call (1 − f³)/(1 − f); attempts per call have variance < 9/4. Allow 4 SE.
    expect(Math.abs(r.calls.amplification! - (1 - f ** 3) / (1 - f))).toBeLessThan((4 * 1.5) / Math.sqrt(20_000));
  });

  it('stops all retries once failures drain the tokens below half', () => {
    // Every attempt fails, one call at a time, 3 attempts each; each failure takes a token and a
    // retry needs tokens > 5. Call 1: 9 retry, 8 retry, 7 (attempts used up). Call 2: 6 retry,
    // 5 refused. Every later call: its first failure leaves < 5, refused. 3 retries, 49 refusals.
    const sc = scenario({
      workload: { agents: 1, workflows: 50 },
      workflow: { steps: 1 },
      faults: [{ kind: 'error', probability: 1 }],
      policies: [{ name: 'g', retry: { maxAttempts: 3 }, budget: { kind: 'grpc', maxTokens: 10, tokenRatio: 1 } }],
    });
    const r = runSim(sc).policies[0];
    expect(r.calls.transportRetries).toBe(3);
    expect(r.calls.budgetExhausted).toBe(49);
  });
});

describe('EnvoyBudget', () => {
  it('caps concurrent retries at max(minRetryConcurrency, budgetPercent × active)', () => {
    const e = new EnvoyBudget({ budgetPercent: 20, minRetryConcurrency: 1 });
    for (let i = 0; i < 10; i++) e.sent(0, false);
    expect(e.tryRetry()).toBe(true); // 0 retries < max(1, 2)
    e.sent(0, true);
    e.sent(0, true);
    expect(e.tryRetry()).toBe(false); // 2 retries, 12 active → 20 % is 2.4 → 2
    e.ended(0, true, AttemptEnd.Ok);
    expect(e.tryRetry()).toBe(true);
    for (let i = 0; i < 10; i++) e.ended(0, false, AttemptEnd.Ok);
    expect(e.tryRetry()).toBe(false); // 1 retry in flight, 1 active: the minimum of 1 is reached
  });

  it('grants a lone sequential caller only its minimum retry concurrency', () => {
    // One agent, every attempt fails: when a retry is asked for, its failed attempt has ended, so
    // nothing is in flight and the allowance is max(minRetryConcurrency, 20 % of 0).
    const run = (minRetryConcurrency: number) =>
      runSim(
        scenario({
          workload: { agents: 1, workflows: 30 },
          workflow: { steps: 1 },
          faults: [{ kind: 'error', probability: 1 }],
          policies: [{ name: 'e', retry: { maxAttempts: 3 }, budget: { kind: 'envoy', budgetPercent: 20, minRetryConcurrency } }],
        }),
      ).policies[0].calls;
    const none = run(0);
    expect([none.transportRetries, none.budgetExhausted]).toEqual([0, 30]);
    const one = run(1);
    expect([one.transportRetries, one.budgetExhausted]).toEqual([60, 0]);
  });

  it('rejects out-of-range options', () => {
    expect(() => new EnvoyBudget({ budgetPercent: 120 })).toThrow(RangeError);
    expect(() => new FinagleBudget({ ttl: 500 })).toThrow(RangeError);
    expect(() => new GrpcThrottle({ kind: 'grpc', maxTokens: 0, tokenRatio: 1 })).toThrow(RangeError);
  });
});
