/**
 * Every figure counts its whole population (docs/reports.md "Populations"), on scenarios whose
 * figures can be worked out by hand: a breaker that rejects a known number of calls, hangs at a
 * known rate behind a known timeout, and a run in which nothing completes.
 */
import { describe, expect, it } from 'vitest';
import { applyThresholds } from '../../src/cli/report-io.js';
import { figureCell, figure } from '../../src/report/figures.js';
import { evaluateThresholds } from '../../src/report/thresholds.js';
import type { Report } from '../../src/report/types.js';
import { runSim } from '../../src/run/sim.js';
import { scenario } from '../helpers/scenario.js';

describe('a consecutive breaker that opens after 5 errors and stays open', () => {
  // One agent runs 20 one-call workflows back to back; every call errors after its 10 ms of
  // service. Calls 1–5 are attempts that fail; the breaker then opens for an hour, so calls
  // 6–20 are rejected at once without an attempt: k = 15 rejections.
  const n = 20;
  const k = n - 5;
  const report = runSim(
    scenario({
      workload: { model: 'closed', agents: 1, workflows: n },
      workflow: { steps: 1 },
      faults: [{ kind: 'error', probability: 1 }],
      policies: [{ name: 'b', timeout: 'none', breaker: { kind: 'consecutive', threshold: 5, halfOpenAfter: '1h' } }],
      thresholds: { b: ['workflow.p(95) < 1h', 'call.p(50) < 1h', 'cost.perCompletedWorkflow < 0.50', 'workflow.completed.p(50) < 1h', 'completedWorkflowCost.p(50) < 1', 'tokens.perCompletedWorkflow < 1e9'] },
    }),
  );
  applyThresholds(report, report.scenario.thresholds);
  const p = report.policies[0];

  it('counts each rejection as a failed call and a try, never as a 0 ms call', () => {
    expect(p.calls).toMatchObject({ logical: n, attempts: 5, rejected: k, failed: n });
    expect(p.breaker.rejected).toBe(k);
    // Tries as the agent sees them: 5 attempts + 15 rejections over 20 calls (v1 said 0.25×).
    expect(p.calls.amplification).toBe(1);
    expect(p.tools.a).toMatchObject({ attempts: 5, rejected: k, amplification: 1 });
    // No call got an answer: none is in the answered population, all 20 in the failed one.
    expect(p.latency['call.completed'].count).toBe(0);
    expect(p.latency['call.failed'].count).toBe(n);
    expect(p.latency.call).toMatchObject({ count: n, failed: n, p50: null, mean: null });
    expect(figureCell(p, figure('call.p(99)'))).toBe('—, 100.0% failed');
    // The attempts are the five that ran: 10 ms each.
    expect(p.latency.attempt.count).toBe(5);
    expect(Math.abs(p.latency.attempt.p50 - 10) / 10).toBeLessThan(1e-3);
  });

  it('gives the failed workflows their time to failure: 10 ms for the errors, 0 for the rejections', () => {
    expect(p.workflows.failedByReason).toEqual({ breakerOpen: k, error: 5 });
    expect(p.latency['workflow.failed'].count).toBe(n);
    expect(p.latency['workflow.failed'].p50).toBe(0);
    expect(Math.abs(p.latency['workflow.failed'].max - 10) / 10).toBeLessThan(1e-3);
  });

  it('fails every threshold over completed workflows with "no data", and the censored ones', () => {
    expect(p.workflows.completed).toBe(0);
    expect(p.cost.perCompletedWorkflow).toBeNull();
    expect(report.thresholds.map((t) => t.ok)).toEqual([false, false, false, false, false, false]);
    for (const t of report.thresholds.slice(2)) expect(t.message, t.expression).toMatch(/no data/);
    expect(report.thresholds[0].message).toMatch(/—, 100% of workflows failed/);
    expect(report.verdict!.winner).toBeNull();
  });
});

describe('hangs at a known rate behind a known timeout', () => {
  // 4,000 one-call workflows; a call hangs with probability h, is answered in 10 ms otherwise, and
  // the caller gives up at 100 ms. No retry: a hang is a timed-out attempt and a failed call.
  const n = 4000;
  const h = 0.1;
  const p = runSim(
    scenario({
      workload: { model: 'open', arrivalRate: 100, workflows: n },
      workflow: { steps: 1 },
      faults: [{ kind: 'hang', probability: h }],
      policies: [{ name: 't', timeout: '100ms' }],
    }),
  ).policies[0];
  const t = p.calls.timeouts;

  it('times out a share h of attempts, within 4 binomial standard errors', () => {
    expect(Math.abs(t / n - h)).toBeLessThan(4 * Math.sqrt((h * (1 - h)) / n));
  });

  it('keeps timed-out attempts in attempt latency, at their timeout', () => {
    expect(p.latency.attempt.count).toBe(n);
    // Below the timed-out share every attempt took 10 ms; above it, 100 ms.
    const share = 100 * (1 - t / n);
    const [below, above, p99] = evaluateThresholds({ policies: [p] } as unknown as Report, {
      t: [`attempt.p(${share - 0.1}) < 1h`, `attempt.p(${share + 0.1}) < 1h`, 'attempt.p(99) < 1h'],
    });
    expect(Math.abs(below.value! - 10) / 10).toBeLessThan(1e-3);
    expect(Math.abs(above.value! - 100) / 100).toBeLessThan(1e-3);
    // v1 left the hangs out and read 10 ms here.
    expect(Math.abs(p99.value! - 100) / 100).toBeLessThan(1e-3);
    expect(Math.abs(p.tools.a.attempt.p99 - 100) / 100).toBeLessThan(1e-3);
  });

  it('censors call and workflow percentiles past the answered share, and keeps the answered ones apart', () => {
    expect(p.latency['call.completed'].count).toBe(n - t);
    expect(p.latency.call).toMatchObject({ count: n, failed: t, p95: null, p99: null });
    expect(Math.abs(p.latency.call.p50! - 10) / 10).toBeLessThan(1e-3);
    expect(Math.abs(p.latency['call.completed'].p99 - 10) / 10).toBeLessThan(1e-3);
    expect(p.latency.workflow).toMatchObject({ count: n, failed: t, p95: null });
    expect(figureCell(p, figure('workflow.p(95)'))).toBe(`—, ${((100 * t) / n).toFixed(1)}% failed`);
  });
});
