/**
 * One name, one meaning: every figure's label reads the same in the terminal, Markdown and HTML,
 * is defined under that label (with its threshold name) in docs/reports.md, and the JSON behind it
 * measures to the same cell. Labels an earlier version used for other figures appear nowhere.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FIGURES, figureCell } from '../../src/report/figures.js';
import { renderHtml } from '../../src/report/html.js';
import { renderMarkdown } from '../../src/report/markdown.js';
import { policyTable } from '../../src/report/table.js';
import { terminalTable } from '../../src/report/terminal.js';
import type { Report } from '../../src/report/types.js';
import { verdictOf } from '../../src/report/verdict.js';
import { fixtureReport } from './fixtures.js';

/** Labels v1 printed, each for a figure that meant something else or two things at once. */
const RETIRED = ['cost / completed workflow', 'cost p95 / completed workflow', 'cost per completed workflow', 'retry tax (share', 'amplification (attempts', 'retry storm peak', 'success rate'];

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

describe('figure labels', () => {
  const report = fixtureReport();
  report.verdict = verdictOf(report);
  const term = terminalTable(report);
  const md = renderMarkdown(report, [], 'r');
  const html = renderHtml(report, []);
  const docs = readFileSync('docs/reports.md', 'utf8');
  const readme = readFileSync('README.md', 'utf8');
  const shown = new Set(policyTable(report).rows.map((r) => r.key));

  it('are unique', () => {
    expect(new Set(FIGURES.map((f) => f.label)).size).toBe(FIGURES.length);
    expect(new Set(FIGURES.map((f) => f.key)).size).toBe(FIGURES.length);
  });

  for (const f of FIGURES) {
    it(`reads "${f.label}" the same in every format, and docs/reports.md defines it as ${f.key}`, () => {
      const termLine = term.split('\n').find((l) => l.startsWith(`${f.label}  `));
      expect(Boolean(termLine), 'terminal').toBe(Boolean(f.terminal));
      if (shown.has(f.key)) {
        expect(md, 'markdown').toContain(`| ${f.label} |`);
        expect(html, 'html').toContain(`<tr><td>${esc(f.label)}</td>`);
      }
      if (f.terminal) expect(shown.has(f.key), 'terminal rows are in every table').toBe(true);
      expect(docs, 'docs/reports.md').toContain(`**${f.label}** (\`${f.key}\`)`);
    });
  }

  it('measure to the same cell from the JSON as in the views', () => {
    const json = JSON.parse(JSON.stringify(report)) as Report;
    for (const [i, p] of json.policies.entries()) {
      for (const row of policyTable(report).rows) {
        expect(figureCell(p, FIGURES.find((f) => f.key === row.key)!), `${p.name} ${row.key}`).toBe(row.cells[i]);
      }
    }
  });

  it('name the verdict’s objective with the table’s label', () => {
    expect(report.verdict!.label).toBe('spend per completed workflow');
    expect(md).toContain(`| policy | ${report.verdict!.label} | standing |`);
  });

  it('leave no retired label in any view, the docs or the README', () => {
    for (const [name, text] of [['terminal', term], ['markdown', md], ['html', html], ['docs/reports.md', docs], ['README.md', readme]] as const) {
      for (const old of RETIRED) expect(text.includes(old), `${name}: '${old}'`).toBe(false);
    }
  });
});
