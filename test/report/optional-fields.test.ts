// Everything the model changes of issue #16 added to a report is optional: a report of a run without
// calibration, fault windows or the newer counters still renders in every format and still compares.
import { describe, expect, it } from 'vitest';
import { compare } from '../../src/report/compare.js';
import { reportBlocks } from '../../src/report/blocks.js';
import { renderCharts } from '../../src/report/charts.js';
import { renderHtml } from '../../src/report/html.js';
import { renderMarkdown } from '../../src/report/markdown.js';
import { terminalTable } from '../../src/report/terminal.js';
import { REPORT_SCHEMA, type Report } from '../../src/report/types.js';
import { fixtureReport } from './fixtures.js';

/** The fixture without the optional parts: no calibration, incident windows, timeline, recovery or new call counters. */
function older(): Report {
  const r = fixtureReport();
  delete r.scenario.calibration;
  delete r.scenario.incidentWindows;
  for (const p of r.policies) {
    delete p.timeline;
    delete p.recovery;
    delete p.calls.streamCuts;
    delete p.calls.shedByRelay;
    delete p.calls.limitRejected;
  }
  return r;
}

describe('a report without the optional figures', () => {
  it('renders in every format, without the blocks it has no data for', async () => {
    const r = older();
    expect(r.schema).toBe(REPORT_SCHEMA);
    expect(terminalTable(r)).toMatch(/workflows completed/);
    expect(reportBlocks(r)).toEqual([]);
    const charts = await renderCharts(r);
    expect(charts.map((c) => c.id)).not.toContain('successful-calls');
    expect(renderMarkdown(r, charts, 'x')).not.toMatch(/## Recovery/);
    expect(renderHtml(r, charts)).toMatch(/<h2>Timeouts<\/h2>/);
  });

  it('compares as a baseline with a report that has them', () => {
    const result = compare({ kind: 'report', report: older() }, { kind: 'report', report: fixtureReport() });
    expect(result.checks.length).toBeGreaterThan(0);
    expect(result.checks.every((c) => c.ok)).toBe(true);
  });
});
