import { HistogramLogReader, build, listTags } from 'hdr-histogram-js';
import { describe, expect, it } from 'vitest';
import { CHARTS, renderCharts } from '../../src/report/charts.js';
import { hdrLog } from '../../src/report/hdrlog.js';
import { binCounts, policyHistogram } from '../../src/report/histogram.js';
import { renderHtml } from '../../src/report/html.js';
import { renderMarkdown } from '../../src/report/markdown.js';
import { terminalTable } from '../../src/report/terminal.js';
import { figureValue } from '../../src/report/figures.js';
import { policyTable } from '../../src/report/table.js';
import type { Report } from '../../src/report/types.js';
import { fixtureReport } from './fixtures.js';

describe('renderCharts', () => {
  it('renders every chart as an SVG with marks', async () => {
    const charts = await renderCharts(fixtureReport());
    expect(charts.map((c) => c.id)).toEqual(CHARTS.map((c) => c.id));
    for (const c of charts) {
      expect(c.svg.startsWith('<svg')).toBe(true);
      expect(c.svg).toMatch(/class="mark-(line|rect|symbol)[^"]*"/);
      expect(c.svg).toMatch(/<path[^>]* d="M[^"]+"/);
    }
  });

  it('renders the same bytes twice', async () => {
    const a = await renderCharts(fixtureReport());
    const b = await renderCharts(fixtureReport());
    expect(a.map((c) => c.svg)).toEqual(b.map((c) => c.svg));
  });

  it('draws one latency curve per policy for calls and for workflows', async () => {
    const report = fixtureReport();
    const [cdf] = await renderCharts(report);
    const lines = cdf.svg.match(/aria-roledescription="line mark" d="M/g) ?? [];
    expect(lines.length).toBe(2 * report.policies.length);
    for (const p of report.policies) expect(cdf.svg).toContain(`policy: ${p.name}`);
  });

  it('skips charts without data', async () => {
    const report = fixtureReport();
    for (const p of report.policies) {
      for (const k of ['workflow.completed', 'workflow.failed', 'call.completed', 'call.failed']) delete p.histograms[k];
    }
    const ids = (await renderCharts(report)).map((c) => c.id);
    expect(ids).not.toContain('latency-cdf');
    expect(ids).not.toContain('workflow-histogram');
    expect(ids).toContain('retry-storm');
  });
});

/** Gives each policy per-replication values of `key`: its pooled value plus `noise[i][r]`. */
function withReplicates(report: Report, key: string, noise: number[][]): Report {
  report.replications = noise[0].length;
  report.policies.forEach((p, i) => {
    const v = figureValue(p, key)!;
    p.replicates = { ...p.replicates, [key]: noise[i].map((d) => v + d) };
  });
  return report;
}

describe('policyTable', () => {
  it('marks a ranked row only where the paired interval excludes 0 against every other policy', () => {
    // Common random numbers: the replication effect is shared, the policy effect is not.
    const shared = [0.03, -0.02, 0.01, -0.01, 0.02];
    const report = withReplicates(fixtureReport(), 'cost.perCompletedWorkflow', [shared, shared.map((d) => d + 0.0001), shared.map((d) => d - 0.0001)]);
    const row = policyTable(report).rows.find((r) => r.key === 'cost.perCompletedWorkflow')!;
    const costs = report.policies.map((p) => p.cost.perCompletedWorkflow!);
    expect(row.best).toEqual([costs.indexOf(Math.min(...costs))]);
  });

  it('marks nothing where the paired difference includes 0', () => {
    const report = fixtureReport();
    const spread = report.policies.map((p) => p.cost.perCompletedWorkflow!);
    const gap = Math.max(...spread) - Math.min(...spread);
    // Policy noise ten times the gap between policies, different in every replication.
    const noise = report.policies.map((_, i) => [0, 1, 2, 3, 4].map((r) => gap * 10 * Math.sin(7 * i + 3 * r + 1)));
    const row = policyTable(withReplicates(report, 'cost.perCompletedWorkflow', noise)).rows.find((r) => r.key === 'cost.perCompletedWorkflow')!;
    expect(row.best).toEqual([]);
    expect(row.note).toBe('not significant');
  });

  it('marks nothing with one replication', () => {
    const row = policyTable(fixtureReport()).rows.find((r) => r.key === 'cost.perCompletedWorkflow')!;
    expect(row.best).toEqual([]);
    expect(row.note).toBe('one replication');
  });

  it('never ranks counts with no direction: timeouts, retries, rejections', () => {
    const shared = [0, 1, 2, 3, 4];
    const report = fixtureReport();
    for (const key of ['calls.timeouts', 'calls.transportRetries', 'calls.rejected', 'calls.amplification']) withReplicates(report, key, report.policies.map(() => shared));
    for (const key of ['calls.timeouts', 'calls.transportRetries', 'calls.rejected', 'calls.amplification']) {
      expect(policyTable(report).rows.find((r) => r.key === key)!.best, key).toEqual([]);
    }
  });
});

describe('renderMarkdown and renderHtml', () => {
  it('mark the best cell and embed every chart', async () => {
    const shared = [0.03, -0.02, 0.01, -0.01, 0.02];
    const report = withReplicates(fixtureReport(), 'cost.perCompletedWorkflow', [shared, shared.map((d) => d + 0.0001), shared.map((d) => d - 0.0001)]);
    const charts = await renderCharts(report);
    const md = renderMarkdown(report, charts, 'r');
    const html = renderHtml(report, charts);
    const marked = policyTable(report).rows.reduce((n, r) => n + r.best.length, 0);
    expect(md.match(/\*\*★ /g)?.length).toBe(marked);
    expect(html.match(/<td class="best">/g)?.length).toBe(marked);
    expect(html.match(/<svg/g)?.length).toBe(charts.length);
    expect(html).not.toMatch(/<script|https?:\/\/(?!www\.w3\.org)/);
  });

  it('list failed thresholds with their message', () => {
    const report = fixtureReport();
    report.thresholds = [{ expression: 'workflow.p(95) < 1s', policy: 'naive-retry', value: 31_000, ok: false, message: 'workflow.p(95) < 1s: measured 31 s, limit < 1 s' }];
    expect(renderMarkdown(report, [], 'r')).toContain('❌ `naive-retry`: workflow.p(95) < 1s: measured 31 s, limit < 1 s');
    expect(renderHtml(report, [])).toContain('workflow.p(95) &lt; 1s: measured 31 s');
  });
});

describe('a live report', () => {
  it('shows its time scale and its timer lateness in the terminal, Markdown and HTML', () => {
    const report = fixtureReport();
    report.mode = 'live';
    report.live = {
      timeScale: 0.05, encoding: 'o200k_base', sessions: 4, transport: 'streamable-http',
      timerLateness: { count: 1234, mean: 0.2, p50: 0.15, p90: 0.3, p95: 0.4, p99: 0.9, p999: 1.5, max: 2.25 },
    };
    const scale = 'time scale 0.05 (20× faster than scenario time: each real ms of overhead reads as 20 ms)';
    const late = 'timer lateness: 1,234 timers fired late by p50 0.150 ms, p99 0.900 ms, max 2.250 ms of wall time (normal priority)';
    for (const [name, text] of [['terminal', terminalTable(report)], ['markdown', renderMarkdown(report, [], 'r')], ['html', renderHtml(report, [])]]) {
      expect(text, name).toContain(scale);
      expect(text, name).toContain(late);
    }
  });
});

describe('hdrLog', () => {
  it('writes a log that HistogramLogReader reads back, one tag per histogram', () => {
    const report = fixtureReport();
    const policy = report.policies[0];
    const text = hdrLog(report, policy);
    expect(text).toMatch(/^#\[StartTime: 0\.000 /m);
    expect(listTags(text).sort()).toEqual(Object.keys(policy.histograms).sort());
    const reader = new HistogramLogReader(text, 64);
    let read = 0;
    for (let h = reader.nextIntervalHistogram(); h; h = reader.nextIntervalHistogram()) {
      expect(h.totalCount).toBe(policyHistogram(policy, h.tag)!.totalCount);
      expect(h.endTimeStampMsec - h.startTimeStampMsec).toBe(policy.simulatedMs);
      read++;
    }
    expect(read).toBe(Object.keys(policy.histograms).length);
  });
});

describe('binCounts', () => {
  it('counts every sample once, those outside the edges in the end bins', () => {
    const h = build({ bitBucketSize: 64, numberOfSignificantValueDigits: 3, autoResize: true });
    for (const v of [0, 5, 15, 25, 1000]) h.recordValue(v);
    expect(binCounts(h, [1, 10, 20, 30], 1)).toEqual([2, 1, 2]);
  });
});
