/**
 * Circuit breakers against hand-worked timelines, in virtual time passed in by the test.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BreakerState, openDelay } from '../../src/policy/breaker/breaker.js';
import { ConsecutiveBreaker } from '../../src/policy/breaker/consecutive.js';
import { CountBreaker } from '../../src/policy/breaker/count.js';
import { SamplingBreaker } from '../../src/policy/breaker/sampling.js';
import type { CountBreakerSpec, OpenDelaySpec } from '../../src/policy/types.js';

const fixed = (ms: number): OpenDelaySpec => ({ kind: 'fixed', base: ms, max: ms, factor: 2 });
const common = (after: number | OpenDelaySpec = 1000, halfOpenProbes = 1) => ({
  halfOpenAfter: typeof after === 'number' ? fixed(after) : after,
  halfOpenProbes,
  scope: 'tool' as const,
});

describe('ConsecutiveBreaker', () => {
  it('opens on the Nth consecutive failure, half-opens after the delay and closes after the probes succeed', () => {
    const b = new ConsecutiveBreaker({ kind: 'consecutive', threshold: 3, ...common(1000, 2) });
    b.failure(0, 1);
    b.failure(1, 1);
    expect(b.state).toBe(BreakerState.Closed);
    b.failure(2, 1);
    expect(b.state).toBe(BreakerState.Open);
    expect(b.allow(500)).toBe(false);
    expect(b.allow(1001)).toBe(false); // opened at 2: the delay ends at 1002
    expect(b.allow(1002)).toBe(true);
    expect(b.state).toBe(BreakerState.HalfOpen);
    expect(b.allow(1002)).toBe(true);
    expect(b.allow(1002)).toBe(false); // two probes in flight, no third
    b.success(1100, 1);
    expect(b.state).toBe(BreakerState.HalfOpen);
    b.success(1200, 1);
    expect(b.state).toBe(BreakerState.Closed);
    expect(b.opens).toBe(1);
  });

  it('re-opens on a failed probe and resets its count on a success', () => {
    const b = new ConsecutiveBreaker({ kind: 'consecutive', threshold: 2, ...common() });
    b.failure(0, 1);
    b.success(1, 1);
    b.failure(2, 1);
    expect(b.state).toBe(BreakerState.Closed);
    b.failure(3, 1);
    expect(b.allow(1003)).toBe(true);
    b.failure(1004, 1);
    expect(b.state).toBe(BreakerState.Open);
    expect(b.opens).toBe(2);
    expect(b.openSince()).toBe(3);
  });

  it('stays open longer after each failed probe when half-open follows a backoff', () => {
    const delay: OpenDelaySpec = { kind: 'exponential', base: 1000, max: 3000, factor: 2 };
    expect([0, 1, 2, 3].map((n) => openDelay(delay, n))).toEqual([1000, 2000, 3000, 3000]);
    const b = new ConsecutiveBreaker({ kind: 'consecutive', threshold: 1, ...common(delay) });
    b.failure(0, 1); // open for 1 s
    expect(b.allow(1000)).toBe(true);
    b.failure(1000, 1); // open for 2 s
    expect(b.allow(2999)).toBe(false);
    expect(b.allow(3000)).toBe(true);
    b.success(3000, 1);
    b.failure(4000, 1); // closed in between: back to 1 s
    expect(b.allow(5000)).toBe(true);
  });

  it('opens exactly when a run of failures reaches the threshold (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 6 }), fc.array(fc.boolean(), { maxLength: 60 }), (threshold, outcomes) => {
        const b = new ConsecutiveBreaker({ kind: 'consecutive', threshold, ...common() });
        let run = 0;
        for (const failed of outcomes) {
          run = failed ? run + 1 : 0;
          if (failed) b.failure(0, 1);
          else b.success(0, 1);
          expect(b.state === BreakerState.Open).toBe(run >= threshold);
          if (run >= threshold) return;
        }
      }),
      { seed: 3, numRuns: 300 },
    );
  });
});

describe('CountBreaker', () => {
  const spec = (o: Partial<CountBreakerSpec> = {}): CountBreakerSpec => ({
    kind: 'count',
    window: 10,
    minimumCalls: 5,
    failureRate: 0.5,
    slowCallRate: 1,
    slowCallDuration: 1000,
    ...common(1000, 4),
    ...o,
  });

  it('waits for minimumCalls, then opens when the failure rate reaches the threshold', () => {
    const b = new CountBreaker(spec());
    for (let i = 0; i < 4; i++) b.failure(i, 1);
    expect(b.state).toBe(BreakerState.Closed); // 4 calls < minimumCalls 5
    b.failure(4, 1);
    expect(b.state).toBe(BreakerState.Open);
  });

  it('slides: a failure that pushes a success out of the window can open it', () => {
    const b = new CountBreaker(spec());
    // Window of 10: S S S S S F F F F S → every prefix of ≥ 5 calls stays under 50 %; 4/10 at the end.
    const seq = [0, 0, 0, 0, 0, 1, 1, 1, 1, 0];
    seq.forEach((f, i) => (f ? b.failure(i, 1) : b.success(i, 1)));
    expect(b.state).toBe(BreakerState.Closed);
    b.failure(10, 1); // drops the first S: 5/10
    expect(b.state).toBe(BreakerState.Open);
  });

  it('opens on the slow-call rate even when every call succeeds', () => {
    const b = new CountBreaker(spec({ slowCallRate: 0.5 }));
    b.success(0, 10);
    b.success(1, 10);
    b.success(2, 2000);
    b.success(3, 2000);
    expect(b.state).toBe(BreakerState.Closed); // 4 calls < minimumCalls
    b.success(4, 1000); // exactly the threshold duration is not slow: 2 of 5
    expect(b.state).toBe(BreakerState.Closed);
    b.success(5, 1001); // 3 slow of 6 = 50 %
    expect(b.state).toBe(BreakerState.Open);
  });

  it('decides half-open on the rates over all permitted probes', () => {
    const open = () => {
      const b = new CountBreaker(spec());
      for (let i = 0; i < 5; i++) b.failure(0, 1);
      for (let i = 0; i < 4; i++) expect(b.allow(1000)).toBe(true);
      expect(b.allow(1000)).toBe(false);
      return b;
    };
    const closes = open();
    closes.failure(1001, 1);
    closes.success(1002, 1);
    closes.success(1003, 1);
    expect(closes.state).toBe(BreakerState.HalfOpen);
    closes.success(1004, 1); // 1 failure of 4 = 25 % < 50 %
    expect(closes.state).toBe(BreakerState.Closed);
    const reopens = open();
    [1, 1, 0, 0].forEach((f, i) => (f ? reopens.failure(1001 + i, 1) : reopens.success(1001 + i, 1)));
    expect(reopens.state).toBe(BreakerState.Open); // 2 of 4 = 50 %
  });

  it('matches a reference model of the last `window` calls (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 1, max: 12 }),
        fc.array(fc.record({ failed: fc.boolean(), ms: fc.integer({ min: 0, max: 2000 }) }), { maxLength: 80 }),
        (window, minimumCalls, calls) => {
          const s = spec({ window, minimumCalls, slowCallRate: 0.75 });
          const b = new CountBreaker(s);
          const seen: { failed: boolean; ms: number }[] = [];
          for (const c of calls) {
            seen.push(c);
            const last = seen.slice(-window);
            const fails = last.filter((x) => x.failed).length;
            const slow = last.filter((x) => x.ms > s.slowCallDuration).length;
            const expectOpen = last.length >= Math.min(minimumCalls, window) && (fails / last.length >= 0.5 || slow / last.length >= 0.75);
            if (c.failed) b.failure(0, c.ms);
            else b.success(0, c.ms);
            expect(b.state === BreakerState.Open).toBe(expectOpen);
            if (expectOpen) return;
          }
        },
      ),
      { seed: 11, numRuns: 300 },
    );
  });
});

describe('SamplingBreaker', () => {
  const make = () =>
    new SamplingBreaker({ kind: 'sampling', failureRatio: 0.5, duration: 10_000, minimumThroughput: 4, buckets: 10, ...common(5000) });

  it('opens when the window holds minimumThroughput calls and the failure ratio reaches the threshold', () => {
    const b = make();
    b.success(0, 1);
    b.failure(1000, 1);
    b.failure(2000, 1);
    expect(b.state).toBe(BreakerState.Closed); // 3 calls < 4
    b.success(3000, 1);
    expect(b.state).toBe(BreakerState.Closed); // a success never opens it
    b.failure(4000, 1); // 3 of 5 = 0.6
    expect(b.state).toBe(BreakerState.Open);
  });

  it('forgets outcomes older than the sampling duration', () => {
    const b = make();
    b.failure(0, 1);
    b.failure(100, 1);
    b.failure(200, 1);
    // At 10.5 s the bucket holding 0–1 s has left the window: one failure of one call.
    b.success(10_500, 1);
    b.success(10_600, 1);
    b.success(10_700, 1);
    b.failure(10_800, 1);
    expect(b.state).toBe(BreakerState.Closed); // 1 of 4 in the window
  });

  it('closes after a successful probe once the break is over', () => {
    const b = make();
    for (let i = 0; i < 4; i++) b.failure(i, 1);
    expect(b.state).toBe(BreakerState.Open);
    expect(b.allow(5002)).toBe(false);
    expect(b.allow(5003)).toBe(true);
    b.success(5010, 1);
    expect(b.state).toBe(BreakerState.Closed);
  });
});

describe('breaker scope', () => {
  it('fails fast only the failing tool per tool, and every tool per tunnel', async () => {
    const { runSim } = await import('../../src/run/sim.js');
    const { scenario } = await import('../helpers/scenario.js');
    // Tool a always errors, b never; a opens its breaker on its first failure and stays open.
    const run = (scope: string) =>
      runSim(
        scenario({
          workflow: { steps: 2, tools: ['b', 'a'] },
          server: { tools: { a: { service: '10ms', resultTokens: 1 }, b: { service: '10ms', resultTokens: 1 } } },
          faults: [{ kind: 'error', tool: 'a', probability: 1 }],
          policies: [{ name: 's', breaker: { kind: 'consecutive', threshold: 1, halfOpenAfter: '1h', scope } }],
        }),
      ).policies[0];
    const tool = run('tool');
    expect(tool.tools.b.failed).toBe(0);
    // The 4 agents' first workflows all call a (at 10 ms) before the first error opens the
    // breaker (at 20 ms): 4 fail with error, the other 16 fast with breakerOpen.
    expect(tool.workflows.failedByReason).toEqual({ error: 4, breakerOpen: 16 });
    const tunnel = run('tunnel');
    expect(tunnel.tools.b.failed).toBeGreaterThan(0);
    expect(tunnel.tools.b.attempts).toBeLessThan(tunnel.tools.b.logical);
  });
});
