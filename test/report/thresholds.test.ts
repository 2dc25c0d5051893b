import { describe, expect, it } from 'vitest';
import { build, encodeIntoCompressedBase64 } from 'hdr-histogram-js';
import { TunnelsimError } from '../../src/errors.js';
import { evaluateThresholds, parseThreshold } from '../../src/report/thresholds.js';
import type { Report } from '../../src/report/types.js';
import { TOOLS, fixtureReport } from './fixtures.js';

/** A report whose first policy's workflows took exactly 1, 2, …, `completed` ms, and `failed` more failed. */
function uniformWorkflowReport(completed = 1000, failed = 0): Report {
  const report = fixtureReport();
  const h = build({ bitBucketSize: 64, numberOfSignificantValueDigits: 3, autoResize: true });
  for (let ms = 1; ms <= completed; ms++) h.recordValue(ms * 1000);
  const f = build({ bitBucketSize: 64, numberOfSignificantValueDigits: 3, autoResize: true });
  for (let i = 0; i < failed; i++) f.recordValue(5_000_000);
  report.policies[0].histograms['workflow.completed'] = encodeIntoCompressedBase64(h);
  report.policies[0].histograms['workflow.failed'] = encodeIntoCompressedBase64(f);
  return report;
}

function badInput(fn: () => unknown): TunnelsimError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(TunnelsimError);
    expect((e as TunnelsimError).code).toBe('BAD_INPUT');
    return e as TunnelsimError;
  }
  throw new Error('expected a BAD_INPUT error');
}

describe('parseThreshold', () => {
  it('reads a percentile with a duration limit in ms', () => {
    const t = parseThreshold('workflow.p(95) < 30s');
    expect(t.target).toEqual({ kind: 'dist', metric: 'workflow', tool: undefined, aggregate: { kind: 'p', percentile: 95 } });
    expect(t.op).toBe('<');
    expect(t.limit).toEqual({ kind: 'absolute', value: 30_000 });
  });

  it('reads a tool tag whose name has dots and a fractional percentile', () => {
    const t = parseThreshold('call{tool:risk.score}.p(99.9)<=2s');
    expect(t.target).toMatchObject({ kind: 'dist', metric: 'call', tool: 'risk.score', aggregate: { percentile: 99.9 } });
    expect(t.op).toBe('<=');
  });

  it('reads every duration unit and plain numbers', () => {
    expect(parseThreshold('call.max < 250us').limit).toEqual({ kind: 'absolute', value: 0.25 });
    expect(parseThreshold('call.max < 1.5m').limit).toEqual({ kind: 'absolute', value: 90_000 });
    expect(parseThreshold('call.max < 1h').limit).toEqual({ kind: 'absolute', value: 3_600_000 });
    expect(parseThreshold('cost.perCompletedWorkflow < 0.40').limit).toEqual({ kind: 'absolute', value: 0.4 });
  });

  it('treats a signed percentage as relative and an unsigned one as a fraction', () => {
    expect(parseThreshold('workflow.p(99) <= +10%').limit).toEqual({ kind: 'relative', percent: 10 });
    expect(parseThreshold('workflows.successRate >= -1%').limit).toEqual({ kind: 'relative', percent: -1 });
    expect(parseThreshold('workflows.failedRate < 1%').limit).toEqual({ kind: 'absolute', value: 0.01 });
  });

  it('reads field paths and the policy tag', () => {
    const t = parseThreshold('calls{policy:naive-retry}.amplification <= +5%');
    expect(t.target).toEqual({ kind: 'field', path: ['calls', 'amplification'] });
    expect(t.policy).toBe('naive-retry');
  });

  it('rejects bad syntax with the field path it was given', () => {
    const field = 'thresholds.seed-guidance[1]';
    expect(badInput(() => parseThreshold('workflow.p(95) 30s', field)).line()).toMatch(/^thresholds\.seed-guidance\[1\]: .*comparison/);
    expect(badInput(() => parseThreshold('wrkflow.p(95) < 1s', field)).message).toMatch(/unknown metric 'wrkflow'/);
    expect(badInput(() => parseThreshold('workflow.p(101) < 1s', field)).message).toMatch(/aggregate/);
    expect(badInput(() => parseThreshold('workflow < 1s', field)).message).toMatch(/aggregate/);
    expect(badInput(() => parseThreshold('workflow.p(95) < 30 parsecs', field)).message).toMatch(/limit/);
    expect(badInput(() => parseThreshold('workflow{tool:x}.p(95) < 1s', field)).message).toMatch(/tool tag/);
    expect(badInput(() => parseThreshold('call{region:eu}.p(95) < 1s', field)).message).toMatch(/unknown tag/);
    expect(badInput(() => parseThreshold('call.p(95) < +2s', field)).message).toMatch(/relative/);
  });
});

describe('evaluateThresholds', () => {
  it('computes any percentile exactly from the HdrHistogram', () => {
    const report = uniformWorkflowReport();
    const name = report.policies[0].name;
    const [p95, p975, count, avg, max] = evaluateThresholds(report, {
      [name]: ['workflow.p(95) < 1s', 'workflow.p(97.5) < 1s', 'workflow.count > 0', 'workflow.avg < 1s', 'workflow.max < 2s'],
    });
    // HDR with 3 significant digits is exact to 0.1 %.
    expect(p95.value).toBeCloseTo(950, -1);
    expect(Math.abs(p975.value! - 975) / 975).toBeLessThan(0.001);
    expect(count.value).toBe(1000);
    expect(Math.abs(avg.value! - 500.5) / 500.5).toBeLessThan(0.001);
    expect(Math.abs(max.value! - 1000) / 1000).toBeLessThan(0.001);
  });

  it('passes a limit above the measured value and fails one below it, with value and limit in the message', () => {
    const report = uniformWorkflowReport();
    const name = report.policies[0].name;
    const [pass, fail] = evaluateThresholds(report, { [name]: ['workflow.p(95) < 952ms', 'workflow.p(95) < 948ms'] });
    expect(pass.ok).toBe(true);
    expect(fail.ok).toBe(false);
    expect(fail.message).toMatch(/measured 95\d(\.\d+)? ms, limit < 948 ms/);
  });

  it('applies * to every policy and keeps the spec order', () => {
    const report = fixtureReport();
    const results = evaluateThresholds(report, { '*': ['calls.amplification < 1.5'] });
    expect(results.map((r) => r.policy)).toEqual(report.policies.map((p) => p.name));
    expect(results.map((r) => r.ok)).toEqual(report.policies.map((p) => p.calls.amplification! < 1.5));
  });

  it('expands the tool wildcard into one result per tool', () => {
    const report = fixtureReport();
    const results = evaluateThresholds(report, { 'seed-guidance': ['call{tool:*}.p(99) < 1h'] });
    expect(results.map((r) => r.expression)).toEqual(TOOLS.map((t) => `call{tool:${t}}.p(99) < 1h`));
    expect(results.every((r) => r.ok)).toBe(true);
  });

  it('measures rates, nested fields and tool fields', () => {
    const report = fixtureReport();
    const p = report.policies[1];
    const [rate, storm, toolTimeouts, toolAmp] = evaluateThresholds(report, {
      [p.name]: ['workflows.failed.rate < 1', 'storm.peakRatio < 100', 'tools.risk.score.timeouts < 100', 'call{tool:risk.score}.amplification < 100'],
    });
    expect(rate.value).toBe(p.workflows.failed / p.workflows.started);
    expect(storm.value).toBe(p.storm.peakRatio);
    expect(toolTimeouts.value).toBe(p.tools['risk.score'].timeouts);
    expect(toolAmp.value).toBe(p.tools['risk.score'].amplification);
  });

  it('reads the completed workflows’ cost in dollars from the micro-dollar histogram', () => {
    const report = fixtureReport();
    const p = report.policies[0];
    const [r] = evaluateThresholds(report, { [p.name]: ['completedWorkflowCost.max < 100'] });
    expect(Math.abs(r.value! - p.completedWorkflowCost.max) / p.completedWorkflowCost.max).toBeLessThan(0.001);
  });

  it('says where a v1 metric name went', () => {
    expect(() => evaluateThresholds(fixtureReport(), { '*': ['costPerCompletedWorkflow.p(95) < 1'] })).toThrow(/renamed: 'completedWorkflowCost' is the cost distribution of completed workflows; spend per completed workflow .* is 'cost.perCompletedWorkflow'/);
  });

  it('narrows a * entry to the policy a policy tag names', () => {
    const report = fixtureReport();
    const results = evaluateThresholds(report, { '*': ['calls{policy:naive-retry}.amplification < 100'] });
    expect(results.map((r) => r.policy)).toEqual(['naive-retry']);
    expect(badInput(() => evaluateThresholds(report, { '*': ['calls{policy:nope}.amplification < 100'] })).message).toMatch(/unknown policy 'nope'/);
  });

  it('rejects an unknown policy, an unknown field and a relative limit', () => {
    const report = fixtureReport();
    expect(badInput(() => evaluateThresholds(report, { nope: ['call.p(95) < 1s'] })).field).toBe('thresholds.nope');
    expect(badInput(() => evaluateThresholds(report, { '*': ['calls.amplificaton < 2'] })).field).toBe('thresholds.*[0]');
    expect(badInput(() => evaluateThresholds(report, { '*': ['call.p(95) <= +10%'] })).message).toMatch(/baseline/);
  });

  it('fails a threshold on a metric with no samples rather than passing it', () => {
    const report = fixtureReport();
    report.policies[0].histograms['workflow.completed'] = '';
    report.policies[0].histograms['workflow.failed'] = '';
    const [r, survivors] = evaluateThresholds(report, { [report.policies[0].name]: ['workflow.p(95) < 1h', 'workflow.completed.p(95) < 1h'] });
    expect([r.ok, survivors.ok]).toEqual([false, false]);
    expect(r.value).toBeNull();
    expect(r.message).toMatch(/no data/);
    expect(survivors.message).toMatch(/no data/);
  });

  it('counts failed workflows at +∞: 900 of 1,000 done in 1 … 900 ms', () => {
    const report = uniformWorkflowReport(900, 100);
    const name = report.policies[0].name;
    const [p95, p90, p50, avg, min, count, done95] = evaluateThresholds(report, {
      [name]: ['workflow.p(95) < 1h', 'workflow.p(90) < 1h', 'workflow.med < 1h', 'workflow.avg < 1h', 'workflow.min < 1h', 'workflow.count > 0', 'workflow.completed.p(95) < 1h'],
    });
    // Rank ⌈0.95 · 1000⌉ = 950 is past the 900 that finished: censored, and the gate fails.
    expect(p95).toMatchObject({ ok: false, value: null });
    expect(p95.message).toMatch(/—, 10% of workflows failed \(more than 5%: the 95th percentile never finished\)/);
    // Rank 900 is the last one that finished; rank 500 is 500 ms.
    expect(Math.abs(p90.value! - 900) / 900).toBeLessThan(0.001);
    expect(Math.abs(p50.value! - 500) / 500).toBeLessThan(0.001);
    expect(avg).toMatchObject({ ok: false, value: null });
    expect(min.value).toBe(1);
    expect(count.value).toBe(1000);
    // The survivors alone: rank ⌈0.95 · 900⌉ = 855.
    expect(Math.abs(done95.value! - 855) / 855).toBeLessThan(0.001);
  });

  it('fails every threshold over completed workflows when none completed', () => {
    const report = fixtureReport();
    const p = report.policies[0];
    p.histograms['workflow.completed'] = '';
    p.histograms.completedWorkflowCostMicros = '';
    p.workflows.completed = 0;
    p.cost.perCompletedWorkflow = null;
    p.tokens.perCompletedWorkflow = null;
    const exprs = ['cost.perCompletedWorkflow < 0.50', 'tokens.perCompletedWorkflow < 1e9', 'completedWorkflowCost.p(95) < 1', 'workflow.completed.p(50) < 1h', 'workflow.p(50) < 1h'];
    const results = evaluateThresholds(report, { [p.name]: exprs });
    expect(results.map((r) => r.ok)).toEqual(exprs.map(() => false));
    expect(results.slice(0, 4).every((r) => /no data/.test(r.message!))).toBe(true);
  });
});
