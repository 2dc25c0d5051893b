/**
 * The caller against hand-worked timelines: a scripted transport answers attempt n after a fixed
 * delay, so every send, cancel and finish time below follows from the script and the policy.
 */
import { describe, expect, it } from 'vitest';
import { harness, policy, type Answer } from './harness.js';

const err = (delay: number, code = -32603): Answer => ({ delay, outcome: 'error', code });
const ok = (delay: number): Answer => ({ delay, outcome: 'ok' });

describe('LogicalCall retries', () => {
  it('stops after maxAttempts including the first', () => {
    const h = harness(policy({ retry: { maxAttempts: 3 } }), () => err(10));
    const call = h.start(0);
    h.kernel.run();
    expect(call.result).toBe('error');
    expect(h.sent.map((s) => s.at)).toEqual([0, 10, 20]);
    expect(h.rec.c.transportRetries).toBe(2);
  });

  it('retries an error only when its code is in errorCodes', () => {
    const p = policy({ retry: { maxAttempts: 3, errorCodes: [-32603] } });
    const listed = harness(p, () => err(10, -32603));
    listed.start(0);
    listed.kernel.run();
    expect(listed.sent).toHaveLength(3);
    const other = harness(p, () => err(10, -32000));
    const call = other.start(0);
    other.kernel.run();
    expect(other.sent).toHaveLength(1);
    expect(call.errorCode).toBe(-32000);
  });

  it('does not resend a non-idempotent call that may have run, unless retryNonIdempotent', () => {
    const timeouts = (allow: boolean) => {
      const h = harness(policy({ timeout: '50ms', retry: { maxAttempts: 3, retryNonIdempotent: allow } }), () => ok(100), { idempotent: false });
      h.start(0);
      h.kernel.run();
      return h.sent.length;
    };
    expect(timeouts(false)).toBe(1);
    expect(timeouts(true)).toBe(3);
    // A 429 never reached the server: resent either way.
    const h = harness(policy({ retry: { maxAttempts: 2 } }), (_c, i) => (i === 0 ? { delay: 5, outcome: 'rateLimited', retryAfter: 700 } : ok(5)), { idempotent: false });
    h.start(0);
    h.kernel.run();
    expect(h.sent.map((s) => s.at)).toEqual([0, 705]);
  });

  it('times out each attempt after the timeout and cancels it through the transport', () => {
    const h = harness(policy({ timeout: '40ms', retry: { maxAttempts: 2 } }), () => ok(100));
    const call = h.start(0);
    h.kernel.run();
    expect(call.result).toBe('timeout');
    expect(h.sent.map((s) => s.at)).toEqual([0, 40]);
    expect(h.cancelled.map((c) => c.at)).toEqual([40, 80]);
  });

  it('fails with deadline when the workflow deadline passes first', () => {
    const h = harness(policy({ timeout: '40ms', deadline: '60ms', retry: { maxAttempts: 5 } }), () => ok(100));
    const call = h.start(0);
    h.kernel.run();
    expect(call.result).toBe('deadline');
    expect(call.endedAt).toBe(60);
  });
});

describe('LogicalCall hedging', () => {
  const hedged = policy({ hedging: { delay: '30ms', maxHedges: 2 } });

  it('sends a hedge at the delay; the first success wins and the loser is cancelled', () => {
    // Attempt 0 answers at 100 ms, the hedge (sent at 30 ms) after 10 ms: it wins at 40 ms.
    const h = harness(hedged, (_c, i) => (i === 0 ? ok(100) : ok(10)));
    const call = h.start(0);
    h.kernel.run();
    expect(call.result).toBe('ok');
    expect(call.endedAt).toBe(40);
    expect(h.sent).toEqual([
      { call: 0, index: 0, at: 0, hedge: false },
      { call: 0, index: 1, at: 30, hedge: true },
    ]);
    expect(h.cancelled).toEqual([{ call: 0, index: 0, at: 40 }]);
    expect([h.rec.c.hedgesSent, h.rec.c.hedgesWon, h.rec.c.hedgesWasted]).toEqual([1, 1, 1]);
  });

  it('sends up to maxHedges, one per delay, and none once an answer came', () => {
    const slow = harness(hedged, () => ok(1000));
    slow.start(0);
    slow.kernel.run();
    expect(slow.sent.map((s) => s.at)).toEqual([0, 30, 60]);
    expect(slow.rec.c.hedgesWasted).toBe(2);
    const fast = harness(hedged, () => ok(20));
    fast.start(0);
    fast.kernel.run();
    expect(fast.sent).toHaveLength(1);
    expect(fast.rec.c.hedgesSent).toBe(0);
  });

  it('sends the next hedge at once when an attempt fails while another is in flight', () => {
    // 0 answers at 100 ms; hedge 1 (sent at 30) fails at 35; hedge 2 goes out at 35, not 60.
    const h = harness(hedged, (_c, i) => (i === 0 ? ok(100) : i === 1 ? err(5) : ok(10)));
    const call = h.start(0);
    h.kernel.run();
    expect(h.sent.map((s) => s.at)).toEqual([0, 30, 35]);
    expect(call.endedAt).toBe(45);
    expect(h.rec.c.hedgesWon).toBe(1);
  });

  it('does not hedge a non-idempotent tool unless told to', () => {
    const h = harness(hedged, () => ok(100), { idempotent: false });
    h.start(0);
    h.kernel.run();
    expect(h.sent).toHaveLength(1);
  });
});

describe('LogicalCall with a retry budget', () => {
  it('fails the call with its failure kind when the budget refuses the retry', () => {
    // gRPC throttling, maxTokens 4: failure 1 leaves 3 (> 2, retry allowed), failure 2 leaves 2
    // (not > 2): the second retry is refused and the call fails as an error after 2 attempts.
    const h = harness(policy({ retry: { maxAttempts: 5 }, budget: { kind: 'grpc', maxTokens: 4, tokenRatio: 0.1 } }), () => err(10));
    const call = h.start(0);
    h.kernel.run();
    expect(call.result).toBe('error');
    expect(h.sent).toHaveLength(2);
    expect(h.rec.c.budgetExhausted).toBe(1);
  });
});

describe('LogicalCall behind a bulkhead', () => {
  it('queues a call while slots are taken and rejects one more when the queue is full', () => {
    const h = harness(policy({ bulkhead: { maxConcurrent: 1, queue: 1 } }), () => ok(50));
    const [a, b, c] = [h.start(0), h.start(1), h.start(2)];
    h.kernel.run();
    expect(c.result).toBe('bulkheadRejected');
    expect(c.endedAt).toBe(0);
    expect(h.rec.c.bulkheadRejected).toBe(1);
    expect([a.endedAt, b.endedAt]).toEqual([50, 100]);
    expect(h.sent.map((s) => [s.call, s.at])).toEqual([
      [0, 0],
      [1, 50],
    ]);
  });
});

describe('LogicalCall behind a breaker', () => {
  it('fails fast with breakerOpen once the breaker opened', () => {
    const h = harness(policy({ breaker: { kind: 'consecutive', threshold: 2, halfOpenAfter: '1s' } }), () => err(10));
    h.start(0);
    h.kernel.run();
    h.start(1);
    h.kernel.run();
    const third = h.start(2);
    h.kernel.run();
    expect(third.result).toBe('breakerOpen');
    expect(h.sent).toHaveLength(2);
    expect(h.rec.c.breakerRejected).toBe(1);
  });
});
