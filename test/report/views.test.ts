import { HistogramLogReader, build, listTags } from 'hdr-histogram-js';
import { describe, expect, it } from 'vitest';
import { CHARTS, renderCharts } from '../../src/report/charts.js';
import { hdrLog } from '../../src/report/hdrlog.js';
import { binCounts, policyHistogram } from '../../src/report/histogram.js';
import { renderHtml } from '../../src/report/html.js';
import { renderMarkdown } from '../../src/report/markdown.js';
import { policyTable } from '../../src/report/table.js';
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
      delete p.histograms.workflow;
      delete p.histograms.call;
    }
    const ids = (await renderCharts(report)).map((c) => c.id);
    expect(ids).not.toContain('latency-cdf');
    expect(ids).not.toContain('workflow-histogram');
    expect(ids).toContain('retry-storm');
  });
});

describe('policyTable', () => {
  it('marks the lowest value on lower-is-better rows and the highest on higher-is-better ones', () => {
    const report = fixtureReport();
    const table = policyTable(report);
    const amp = table.rows.find((r) => r.label.startsWith('amplification'))!;
    const amps = report.policies.map((p) => p.calls.amplification);
    expect(amp.best).toEqual([amps.indexOf(Math.min(...amps))]);
    const success = table.rows.find((r) => r.label === 'success rate')!;
    const rates = report.policies.map((p) => p.workflows.successRate);
    expect(success.best).toEqual([rates.indexOf(Math.max(...rates))]);
  });

  it('marks nothing on a row where every policy ties', () => {
    const report = fixtureReport();
    for (const p of report.policies) p.calls.timeouts = 7;
    expect(policyTable(report).rows.find((r) => r.label === 'timeouts')!.best).toEqual([]);
  });
});

describe('renderMarkdown and renderHtml', () => {
  it('mark the best cell and embed every chart', async () => {
    const report = fixtureReport();
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
