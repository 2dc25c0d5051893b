/**
 * Slowness that persists across attempts flips the rule of thumb's verdict. One bimodal tool: 96 %
 * of requests take 100 ms, 4 % take 5 s. Its p95 is 100 ms, so the rule of thumb (time out at
 * 1.5 × p95, three attempts) times out every slow attempt at 150 ms and retries.
 *
 * By hand, with p = 0.04 and N = 10 calls per workflow:
 * - attempts drawn afresh (attemptCorrelation 0): a call fails only when all three attempts are
 *   slow, p³; a workflow completes with probability (1 − p³)^N = 0.99936;
 * - slowness that persists (attemptCorrelation 1): a slow request is slow on every retry, so a
 *   call fails with probability p, and a workflow completes with probability (1 − p)^N = 0.6648;
 * - the MCP SDK's default (60 s, no retry) waits out every slow call: all workflows complete.
 * So the rule of thumb ties the SDK default on completion (and finishes sooner) when attempts are
 * independent, and loses a third of its workflows when slowness persists.
 */
import { describe, expect, it } from 'vitest';
import { runSim } from '../../src/run/sim.js';
import type { PolicyReport } from '../../src/report/types.js';
import { scenario } from '../helpers/scenario.js';

const P = 0.04;
const STEPS = 10;
const WORKFLOWS = 4000;

function run(correlation: number): Record<string, PolicyReport> {
  const sc = scenario({
    workload: { model: 'closed', agents: 40, workflows: WORKFLOWS },
    workflow: { steps: STEPS, finalTurn: false },
    server: {
      // Ample workers: zombie work of timed-out slow attempts (3 × 5 s each) never queues a fast call.
      concurrency: 4096,
      tools: {
        a: {
          service: { dist: 'mixture', components: [{ weight: 1 - P, dist: 'constant', value: '100ms' }, { weight: P, dist: 'constant', value: '5s' }] },
          resultTokens: 10,
          attemptCorrelation: correlation,
        },
      },
    },
    policies: [
      { name: 'sdk-default', preset: 'mcp-sdk-default' },
      { name: 'rule-of-thumb', timeout: 'p95x1.5', retry: { maxAttempts: 3, backoff: 'none', layer: 'transport' } },
    ],
  });
  return Object.fromEntries(runSim(sc).policies.map((p) => [p.name, p]));
}

/** Four binomial standard errors of a completion rate s over WORKFLOWS workflows. */
const tolerance = (s: number) => 4 * Math.sqrt((s * (1 - s)) / WORKFLOWS) + 1e-3;

describe('attempt correlation', () => {
  it('flips the rule of thumb from a tie with the SDK default (attempts afresh) to a loss (slowness persists)', () => {
    const fresh = run(0);
    const sticky = run(1);
    // The percentile timeout is 1.5 × 100 ms whatever the correlation: first attempts never change.
    expect(fresh['rule-of-thumb'].timeouts.a).toBeCloseTo(150, 0);
    expect(sticky['rule-of-thumb'].timeouts.a).toBeCloseTo(150, 0);

    const independent = (1 - P ** 3) ** STEPS;
    const persistent = (1 - P) ** STEPS;
    expect(Math.abs(fresh['rule-of-thumb'].workflows.successRate! - independent)).toBeLessThan(tolerance(independent));
    expect(Math.abs(sticky['rule-of-thumb'].workflows.successRate! - persistent)).toBeLessThan(tolerance(persistent));
    for (const r of [fresh, sticky]) expect(r['sdk-default'].workflows.successRate).toBe(1);

    // The verdict: afresh, the rule of thumb completes as many and finishes sooner; persistent, it loses.
    expect(fresh['rule-of-thumb'].workflows.successRate).toBeGreaterThan(fresh['sdk-default'].workflows.successRate! - 0.005);
    expect(fresh['rule-of-thumb'].latency.call.p99).toBeLessThan(fresh['sdk-default'].latency.call.p99!);
    expect(sticky['rule-of-thumb'].workflows.successRate).toBeLessThan(sticky['sdk-default'].workflows.successRate! - 0.25);
    // Persistent slowness: each failed call spent exactly three attempts on one slow request.
    const failed = sticky['rule-of-thumb'].calls.failed;
    expect(sticky['rule-of-thumb'].calls.timeouts).toBe(3 * failed);
  });
});
