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
import { evaluateThresholds } from '../../src/report/thresholds.js';
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
    report.thresholds = evaluateThresholds(report, report.scenario.thresholds);
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
    expect(requests.filter((u) => !u.startsWith('file:'))).toEqual([]);

    await page.screenshot({ path: join(ARTIFACTS, 'report.png'), fullPage: true });
    if (process.env.TUNNELSIM_UPDATE_DOCS === '1') {
      await mkdir(resolve('docs/img'), { recursive: true });
      await copyFile(join(ARTIFACTS, 'report.png'), resolve('docs/img/report.png'));
    }
    await page.close();
  });
});
