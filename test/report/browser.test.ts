/**
 * The HTML report of the reference scenario in a real browser: headless Chromium (Debian's
 * `chromium` package) driven by playwright-core. Skipped, with a message saying why, where
 * /usr/bin/chromium is absent.
 * Set TUNNELSIM_UPDATE_DOCS=1 to refresh docs/img/report.png, the README's screenshot.
 */
import { existsSync } from 'node:fs';
import { copyFile, mkdir, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHARTS } from '../../src/report/charts.js';
import { applyThresholds } from '../../src/cli/report-io.js';
import { writeReports } from '../../src/report/write.js';
import { runSim } from '../../src/run/sim.js';
import { loadScenario } from '../../src/scenario/load.js';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const ARTIFACTS = resolve('test-artifacts');
const hasChromium = existsSync(CHROMIUM);

if (!hasChromium) {
  console.warn(`browser test skipped: ${CHROMIUM} not found (install the Debian package: apt-get install -y chromium)`);
}

describe.skipIf(!hasChromium)('HTML report in Chromium', () => {
  let browser: Browser;
  const out = join(ARTIFACTS, 'browser-report');

  beforeAll(async () => {
    await rm(out, { recursive: true, force: true });
    const report = runSim(loadScenario('scenarios/thirty-call.yaml'));
    applyThresholds(report, report.scenario.thresholds);
    await writeReports(report, { out, formats: ['html'], basename: 'report' });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('shows every chart with drawn marks, loads nothing from the network, and is screenshotted', async () => {
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    const requests: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    await page.goto(pathToFileURL(join(out, 'report.html')).href);

    for (const c of CHARTS) {
      const figure = page.locator(`#chart-${c.id} svg`);
      await expect(figure.count()).resolves.toBe(1);
      const box = await figure.boundingBox();
      expect(box!.width).toBeGreaterThan(200);
      expect(box!.height).toBeGreaterThan(100);
      // A mark path with a real outline: the chart drew data, not just axes.
      const drawn = await figure.locator('g.role-mark path[d^="M"]').count();
      expect(drawn, `marks in ${c.id}`).toBeGreaterThan(0);
    }
    const best = await page.locator('td.best').count();
    expect(best).toBeGreaterThan(0);

    // The verdict comes first: above the figures table, with one row per policy and its answer.
    const verdict = page.locator('section#verdict');
    await expect(verdict.locator('p.answer').textContent()).resolves.toMatch(/\S/);
    await expect(verdict.locator('tbody tr').count()).resolves.toBe(3);
    const [v, table] = [await verdict.boundingBox(), await page.locator('table.policies').first().boundingBox()];
    expect(v!.y + v!.height).toBeLessThan(table!.y);

    // Every time series shades both fault windows (latency spike 6m–8m, outage 10m–10m30s) in each
    // row, as bands of the right width: the storm chart at 2 panels × 3 policies, the breaker
    // chart for seed guidance alone (the only policy with a breaker).
    for (const [id, rows] of [['retry-storm', 6], ['breaker-state', 1]] as const) {
      const bands = page.locator(`#chart-${id} g.fault_window_marks path`);
      await expect(bands.count(), id).resolves.toBe(rows * 2);
      const widths = await bands.evaluateAll((els) => els.map((e) => e.getBoundingClientRect().width));
      const [spike, outage] = [widths[0], widths[1]];
      // 120 s against 30 s of the same axis: four times as wide, to a pixel.
      expect(Math.abs(spike / outage - 4), id).toBeLessThan(0.3);
    }
    const breakerRows = await page.locator('#chart-breaker-state g.mark-text.role-axis-label, #chart-breaker-state text').allTextContents();
    expect(breakerRows.join(' ')).toContain('seed-guidance');
    expect(breakerRows.join(' ')).not.toContain('naive-retry');
    expect(requests.filter((u) => !u.startsWith('file:'))).toEqual([]);

    await page.screenshot({ path: join(ARTIFACTS, 'report.png'), fullPage: true });
    if (process.env.TUNNELSIM_UPDATE_DOCS === '1') {
      await mkdir(resolve('docs/img'), { recursive: true });
      await copyFile(join(ARTIFACTS, 'report.png'), resolve('docs/img/report.png'));
    }
    await page.close();
  });
});

describe.skipIf(!hasChromium)('CI job summary in Chromium', () => {
  it('renders the compare Markdown the action writes — verdict, checks, a chart per moved figure — and is screenshotted', async () => {
    const { parse } = await import('yaml');
    const { readFileSync, writeFileSync } = await import('node:fs');
    const { marked } = await import('marked');
    const { compare } = await import('../../src/report/compare.js');
    const { compareMarkdown } = await import('../../src/report/compare-markdown.js');
    const { parseScenario } = await import('../../src/scenario/load.js');
    const data = parse(readFileSync('scenarios/thirty-call.yaml', 'utf8'));
    data.workload.workflows = 600;
    const baseline = runSim(parseScenario(structuredClone(data), 'scenarios/thirty-call.yaml'));
    // The pull request under review made the agent link 40 % slower.
    data.network.agentToRelay.latency = { dist: 'lognormal', median: '250ms', p99: '1260ms' };
    const current = runSim(parseScenario(data, 'scenarios/thirty-call.yaml'));
    const result = compare({ kind: 'report', report: baseline }, { kind: 'report', report: current }, ['workflow.p(95) <= +10%', 'call{tool:*}.p(99) <= +10%', 'cost.perCompletedWorkflow <= +10%']);
    const md = compareMarkdown(result, { title: 'tunnelsim: thirty-call', baseline: 'baselines/thirty-call.json', current: 'tunnelsim-report/current/thirty-call.json' });
    // A page styled like GitHub's job summary (system fonts, bordered tables, grey code blocks).
    const css = `body{font:14px -apple-system,"Segoe UI",Helvetica,Arial,sans-serif;color:#1f2328;max-width:1012px;margin:24px auto;padding:16px 32px;border:1px solid #d0d7de;border-radius:6px}
      h2{border-bottom:1px solid #d0d7de;padding-bottom:.3em}table{border-collapse:collapse;margin:16px 0}th,td{border:1px solid #d0d7de;padding:6px 13px}tr:nth-child(2n){background:#f6f8fa}
      pre{background:#f6f8fa;padding:16px;border-radius:6px;font:12px ui-monospace,SFMono-Regular,Menlo,monospace;line-height:1.45}code{font-family:ui-monospace,SFMono-Regular,Menlo,monospace}`;
    const dir = join(ARTIFACTS, 'ci-summary');
    await mkdir(dir, { recursive: true });
    writeFileSync(join(dir, 'summary.html'), `<!doctype html><meta charset="utf-8"><style>${css}</style><body>${await marked.parse(md)}</body>`);
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
    try {
      const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
      await page.goto(pathToFileURL(join(dir, 'summary.html')).href);
      await expect(page.locator('h2').textContent()).resolves.toBe('tunnelsim: thirty-call');
      await expect(page.locator('table tbody tr').count()).resolves.toBe(result.checks.length);
      const fails = await page.locator('table tbody td:first-child', { hasText: 'FAIL' }).count();
      expect(fails).toBe(result.failed);
      expect(fails).toBeGreaterThan(0);
      const charts = await page.locator('pre code').allTextContents();
      expect(charts.length).toBeGreaterThan(0);
      for (const c of charts) expect(c).toMatch(/baseline █+/);
      await page.screenshot({ path: join(ARTIFACTS, 'ci-summary.png'), fullPage: true });
      if (process.env.TUNNELSIM_UPDATE_DOCS === '1') {
        await mkdir(resolve('docs/img'), { recursive: true });
        await copyFile(join(ARTIFACTS, 'ci-summary.png'), resolve('docs/img/ci-summary.png'));
      }
    } finally {
      await browser.close();
    }
  });
});
