/**
 * The Markdown report: the verdict, the policy table, threshold results and the charts as SVG files
 * beside it (`<basename>-<chart>.svg`), so it reads well as a CI job summary or a pull-request comment.
 */
import type { RenderedChart } from './charts.js';
import { liveLines, runDescription } from './run-info.js';
import { timeoutsMarkdown } from './calibration-markup.js';
import { recoveryMarkdown } from './recovery-view.js';
import { policyTable } from './table.js';
import { starNote } from './terminal.js';
import type { Report } from './types.js';
import { entryValue, objectiveLine, objectiveOf, standing, verdictOf, whyLines } from './verdict.js';

/** The file name of a chart's SVG beside the Markdown report. */
export function chartFileName(basename: string, chartId: string): string {
  return `${basename}-${chartId}.svg`;
}

export function renderMarkdown(report: Report, charts: RenderedChart[], basename: string): string {
  const table = policyTable(report);
  const out: string[] = [];
  out.push(`# tunnelsim report: ${md(report.scenario.name)}`, '');
  out.push(`${md(runDescription(report))} run of \`${report.scenario.file}\`.`, '');
  for (const l of liveLines(report)) out.push(`- ${md(l)}`);
  if (report.live) out.push('');
  if (!report.shard) {
    const v = report.verdict ?? verdictOf(report);
    const { unit } = objectiveOf(report);
    out.push('## Verdict', '', `**${md(v.summary)}**`, '', md(objectiveLine(v)), '');
    out.push(`| policy | ${md(v.label)} | standing |`, '|---|---:|---|');
    for (const e of v.ranking) out.push(`| ${md(e.policy)} | ${md(entryValue(e, unit))} | ${md(standing(v, e))} |`);
    out.push('', 'Why, per policy:', '');
    for (const e of v.ranking) out.push(`- **${md(e.policy)}**: ${whyLines(e).map(md).join('; ')}`);
    out.push('');
  }
  out.push('## Figures', '', md(starNote(report)), '');
  out.push(`| | ${table.policies.map(md).join(' | ')} |`);
  out.push(`|---|${table.policies.map(() => '---:').join('|')}|`);
  for (const row of table.rows) {
    const cells = row.cells.map((c, i) => (row.best.includes(i) ? `**★ ${md(c)}**` : md(c)));
    out.push(`| ${md(row.label)} | ${cells.join(' | ')} |`);
  }
  out.push('');
  if (report.thresholds.length > 0) {
    const failed = report.thresholds.filter((t) => !t.ok).length;
    out.push('## Thresholds', '', failed === 0 ? `All ${report.thresholds.length} thresholds passed.` : `**${failed} of ${report.thresholds.length} thresholds failed.**`, '');
    for (const t of report.thresholds) out.push(`- ${t.ok ? '✅' : '❌'} \`${t.policy}\`: ${md(t.message ?? t.expression)}`);
    out.push('');
  }
  out.push('## Policies', '');
  for (const p of report.policies) out.push(`- **${md(p.name)}**: ${md(p.description)}`);
  out.push('');
  out.push(...timeoutsMarkdown(report, md));
  out.push(...recoveryMarkdown(report, md));
  if (charts.length > 0) out.push('## Charts', '');
  for (const c of charts) {
    out.push(`### ${c.title}`, '', `![${c.title}](${chartFileName(basename, c.id)})`, '', c.caption, '');
  }
  return out.join('\n');
}

/** Escapes what would break a table cell or start markup. */
function md(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\n/g, ' ');
}
