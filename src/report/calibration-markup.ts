/** The timeouts table (report/calibration-view.ts) as Markdown and as HTML, for the file reports. */
import { timeoutTable } from './calibration-view.js';
import type { Report } from './types.js';

type Escape = (s: string) => string;

export function timeoutsMarkdown(report: Report, md: Escape): string[] {
  const t = timeoutTable(report);
  if (t.rows.length === 0) return [];
  const out = ['## Timeouts', ''];
  out.push(t.source ? `Each policy's timeout per tool; ${md(t.source)}.` : "Each policy's timeout per tool (no policy used a percentile rule, so no calibration pass ran).", '');
  out.push(`| ${t.head.map(md).join(' | ')} |`, `|---|${t.head.slice(1).map(() => '---:').join('|')}|`);
  for (const r of t.rows) out.push(`| ${r.map(md).join(' | ')} |`);
  out.push('');
  return out;
}

export function timeoutsHtml(report: Report, esc: Escape): string[] {
  const t = timeoutTable(report);
  if (t.rows.length === 0) return [];
  const out = ['<h2>Timeouts</h2>'];
  out.push(`<p>${t.source ? `Each policy's timeout per tool; ${esc(t.source)}.` : "Each policy's timeout per tool (no policy used a percentile rule, so no calibration pass ran)."}</p>`);
  out.push('<table class="policies">', `<thead><tr>${t.head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead>`, '<tbody>');
  for (const r of t.rows) out.push(`<tr>${r.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`);
  out.push('</tbody>', '</table>');
  return out;
}
