import { describe, expect, it } from 'vitest';
import { AdaptiveLimiter, DEFAULT_AIMD_LIMIT, Sample } from '../../src/policy/adaptive-limit.js';
import { runSim } from '../../src/run/sim.js';
import { scenario } from '../helpers/scenario.js';

describe('AdaptiveLimiter (AIMD, as Netflix concurrency-limits)', () => {
  it('starts at Netflix’s defaults: 20 within [20, 200], × 0.9 on a drop, a 5 s round trip counts as one', () => {
    expect(DEFAULT_AIMD_LIMIT).toEqual({ kind: 'aimd', initial: 20, min: 20, max: 200, backoffRatio: 0.9, timeout: 5000 });
  });

  it('cuts the limit to ⌊limit × ratio⌋ on a drop or a slow sample, raises it by one when at least half was in use', () => {
    const l = new AdaptiveLimiter({ initial: 10, min: 1, max: 12 });
    const grant = () => l.acquire();
    const inflight = [grant(), grant(), grant(), grant(), grant()]; // 5 in flight of 10
    expect(inflight).toEqual([1, 2, 3, 4, 5]);
    l.release(Sample.Ok, 50, 5); // 5 · 2 ≥ 10: +1
    expect(l.limit).toBe(11);
    l.release(Sample.Ok, 50, 1); // 2 < 11: application-limited, unchanged
    expect(l.limit).toBe(11);
    l.release(Sample.Drop, 50, 3);
    expect(l.limit).toBe(9); // ⌊11 × 0.9⌋
    l.release(Sample.Ok, 6000, 4); // longer than the 5 s timeout: a drop
    expect(l.limit).toBe(8);
    l.release(Sample.Ignore, 0, 2); // an application error says nothing
    expect(l.limit).toBe(8);
    expect(l.inFlight).toBe(0);
  });

  it('refuses past the limit and stays within [min, max]', () => {
    const l = new AdaptiveLimiter({ initial: 2, min: 2, max: 3 });
    expect(l.acquire()).toBe(1);
    expect(l.acquire()).toBe(2);
    expect(l.acquire()).toBe(0);
    for (let i = 0; i < 5; i++) {
      l.release(Sample.Drop, 0, 1);
      l.acquire();
    }
    expect(l.limit).toBe(2);
    expect(() => new AdaptiveLimiter({ initial: 1, min: 2 })).toThrow(RangeError);
    expect(() => new AdaptiveLimiter({ backoffRatio: 1 })).toThrow(RangeError);
  });

  it('in the caller, fails a call it refuses with `limited`, sending no attempt', () => {
    // Eight agents, each call 100 ms, a limit fixed at 2: six of every eight concurrent calls are refused.
    const sc = scenario({
      workload: { model: 'closed', agents: 8, workflows: 8 },
      workflow: { steps: 1 },
      server: { tools: { a: { service: '100ms', resultTokens: 10 } } },
      policies: [{ name: 'p', timeout: 'none', concurrencyLimit: { kind: 'aimd', initial: 2, min: 2, max: 2 } }],
    });
    const r = runSim(sc).policies[0];
    expect(r.workflows.failedByReason).toEqual({ limited: 6 });
    expect(r.calls.limitRejected).toBe(6);
    expect(r.calls.attempts).toBe(2);
  });
});
