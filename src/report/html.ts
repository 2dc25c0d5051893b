/**
 * The HTML report: one self-contained file (inline CSS, inline SVG charts, no script, nothing
 * fetched), so it opens offline, from a CI artifact, or attached to a ticket. The verdict comes
 * first, then the table, thresholds, policies and charts.
 */
import type { RenderedChart } from './charts.js';
import { liveLines, runDescription } from './run-info.js';
import { timeoutsHtml } from './calibration-markup.js';
import { recoveryHtml } from './recovery-view.js';
import { policyTable } from './table.js';
import { starNote } from './terminal.js';
import type { Report } from './types.js';
import { entryValue, objectiveLine, objectiveOf, standing, verdictOf, whyLines } from './verdict.js';

const CSS = `
body { font: 14px/1.45 Helvetica, Arial, sans-serif; color: #222; margin: 2rem auto; max-width: 1100px; padding: 0 1rem; }
h1 { font-size: 1.5rem; margin-bottom: .2rem; } h2 { font-size: 1.2rem; margin-top: 2rem; border-bottom: 1px solid #ddd; }
.meta { color: #666; }
table.policies { border-collapse: collapse; margin-top: 1rem; }
table.policies th, table.policies td { padding: .3rem .7rem; border-bottom: 1px solid #eee; text-align: right; white-space: nowrap; }
table.policies th:first-child, table.policies td:first-child { text-align: left; }
table.policies thead th { border-bottom: 2px solid #999; }
td.best { background: #e6f4ea; font-weight: bold; }
td.best::before { content: "★ "; color: #188038; }
.thresholds li.fail { color: #b3261e; } .thresholds li.ok { color: #188038; }
figure.chart { margin: 1.5rem 0; } figure.chart figcaption { color: #555; max-width: 760px; }
figure.chart svg { max-width: 100%; height: auto; }
section.verdict { border: 1px solid #ccc; border-left: 5px solid #1a73e8; padding: .3rem 1rem .8rem; margin: 1rem 0; background: #f8fafd; }
section.verdict p.answer { font-size: 1.1rem; font-weight: bold; }
section.verdict table { border-collapse: collapse; } section.verdict td { padding: .15rem .8rem .15rem 0; vertical-align: top; }
section.verdict tr.winner td:first-child::after { content: " ★"; color: #188038; }
section.verdict tr.ineligible { color: #777; }
ul.why li { margin-bottom: .3rem; }
p.note { color: #555; font-size: .9rem; }
`;

export function renderHtml(report: Report, charts: RenderedChart[]): string {
  const table = policyTable(report);
  const title = `tunnelsim report: ${report.scenario.name}`;
  const out: string[] = [];
  out.push('<!DOCTYPE html>', '<html lang="en">', '<head>', '<meta charset="utf-8">');
  out.push('<meta name="viewport" content="width=device-width, initial-scale=1">');
  out.push(`<title>${esc(title)}</title>`, `<style>${CSS}</style>`, '</head>', '<body>');
  out.push(`<h1>${esc(title)}</h1>`);
  out.push(`<p class="meta">${esc(runDescription(report))} run of <code>${esc(report.scenario.file)}</code>, tunnelsim ${esc(report.tool.version)}.</p>`);
  for (const l of liveLines(report)) out.push(`<p class="meta live">${esc(l)}</p>`);
  if (!report.shard) {
    const v = report.verdict ?? verdictOf(report);
    const { unit } = objectiveOf(report);
    out.push('<section class="verdict" id="verdict">', '<h2>Verdict</h2>', `<p class="answer">${esc(v.summary)}</p>`, `<p>${esc(objectiveLine(v))}</p>`);
    out.push(`<table><thead><tr><th>policy</th><th>${esc(v.label)}</th><th>standing</th></tr></thead><tbody>`);
    for (const e of v.ranking) {
      const cls = e.policy === v.winner ? ' class="winner"' : e.eligible ? '' : ' class="ineligible"';
      out.push(`<tr${cls}><td>${esc(e.policy)}</td><td>${esc(entryValue(e, unit))}</td><td>${esc(standing(v, e))}</td></tr>`);
    }
    out.push('</tbody></table>', '<h3>Why, per policy</h3>', '<ul class="why">');
    for (const e of v.ranking) out.push(`<li><strong>${esc(e.policy)}</strong>: ${whyLines(e).map(esc).join('<br>')}</li>`);
    out.push('</ul>', '</section>');
  }
  out.push('<h2>Figures</h2>', `<p class="note">${esc(starNote(report))}</p>`);
  out.push('<table class="policies">', '<thead><tr><th></th>');
  for (const p of table.policies) out.push(`<th>${esc(p)}</th>`);
  out.push('</tr></thead>', '<tbody>');
  for (const row of table.rows) {
    const cells = row.cells.map((c, i) => (row.best.includes(i) ? `<td class="best">${esc(c)}</td>` : `<td>${esc(c)}</td>`));
    out.push(`<tr><td>${esc(row.label)}</td>${cells.join('')}</tr>`);
  }
  out.push('</tbody>', '</table>');
  if (report.thresholds.length > 0) {
    out.push('<h2>Thresholds</h2>', '<ul class="thresholds">');
    for (const t of report.thresholds) {
      out.push(`<li class="${t.ok ? 'ok' : 'fail'}">${t.ok ? '✔' : '✘'} <code>${esc(t.policy)}</code>: ${esc(t.message ?? t.expression)}</li>`);
    }
    out.push('</ul>');
  }
  out.push('<h2>Policies</h2>', '<ul>');
  for (const p of report.policies) out.push(`<li><strong>${esc(p.name)}</strong>: ${esc(p.description)}</li>`);
  out.push('</ul>');
  out.push(...timeoutsHtml(report, esc));
  out.push(...recoveryHtml(report, esc));
  for (const c of charts) {
    out.push(`<h2>${esc(c.title)}</h2>`, `<figure class="chart" id="chart-${esc(c.id)}">`, c.svg, `<figcaption>${esc(c.caption)}</figcaption>`, '</figure>');
  }
  out.push('</body>', '</html>', '');
  return out.join('\n');
}

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
