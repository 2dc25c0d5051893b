/**
 * The recovery figures (report/recovery.ts) as a table per fault window: successful calls before, during
 * and after, when it came back, and what the incident cost. The terminal, Markdown and HTML
 * reports show the same rows.
 */
import { formatDuration } from '../scenario/units.js';
import { RECOVERED_SHARE, SUSTAIN_WINDOWS } from './recovery.js';
import type { Report } from './types.js';

export interface RecoveryTable {
  title: string;
  head: string[];
  rows: string[][];
}

const rate = (v: number) => (v >= 10 ? v.toFixed(1) : v.toFixed(2));
const tokens = (v: number) => (v >= 1e6 ? `${(v / 1e6).toFixed(1)}M` : v >= 1e3 ? `${(v / 1e3).toFixed(0)}k` : String(v));
/** ` (mean of N replications)` when the policy's figures average several worlds. */
const runs = (report: Report) => {
  const n = Math.max(0, ...report.policies.map((p) => p.timeline?.worlds ?? 1));
  return n > 1 ? ` (mean of ${n} replications)` : '';
};
const dollars = (v: number) => `$${v >= 100 ? v.toFixed(0) : v.toFixed(2)}`;

/** One table per fault window of the scenario; empty when it has none. */
export function recoveryTables(report: Report): RecoveryTable[] {
  const windows = report.scenario.incidentWindows ?? [];
  return windows.map((w, k) => {
    const title = `recovery after faults[${w.fault}] (${w.kind}, ${formatDuration(w.fromMs)}–${formatDuration(w.toMs)}): successful calls/s and the incident's cost per run${runs(report)}; recovered = back to ≥ ${RECOVERED_SHARE * 100} % of before for ${SUSTAIN_WINDOWS} windows`;
    const head = ['policy', 'before', 'during', 'after', 'recovered', 'calls lost', 'workflows failed', 'wasted (retry tax)', 'at the pre-fault rate'];
    const rows = report.policies.flatMap((p) => {
      const r = p.recovery?.find((x) => x.fault === w.fault) ?? p.recovery?.[k];
      if (!r) return [];
      const recovered = r.recoveredAfterMs === null ? `no (by ${formatDuration(r.horizonMs)})` : r.recoveredAfterMs === 0 ? 'at once' : `${formatDuration(r.recoveredAfterMs)} after`;
      const i = r.incident;
      return [
        [
          p.name,
          rate(r.successfulCalls.before),
          rate(r.successfulCalls.during),
          rate(r.successfulCalls.after),
          recovered,
          i.lostCalls.toLocaleString('en-US'),
          Math.round(i.workflowsFailed).toLocaleString('en-US'),
          `${dollars(i.wasted.dollars)} (${tokens(i.wasted.tokens)} tokens)`,
          dollars(i.wastedAtBaselineRate.dollars),
        ],
      ];
    });
    return { title, head, rows };
  });
}

/** The terminal blocks, one per fault window. */
export function recoveryBlocks(report: Report): string[] {
  return recoveryTables(report)
    .filter((t) => t.rows.length > 0)
    .map((t) => {
      const lines = [t.head, ...t.rows];
      const widths = t.head.map((_, i) => Math.max(...lines.map((l) => l[i].length)));
      const out = lines.map((l) => l.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  '));
      return [t.title, ...out].join('\n');
    });
}

type Escape = (s: string) => string;

export function recoveryMarkdown(report: Report, md: Escape): string[] {
  const tables = recoveryTables(report).filter((t) => t.rows.length > 0);
  if (tables.length === 0) return [];
  const out = ['## Recovery', ''];
  for (const t of tables) {
    out.push(`${md(t.title)}.`, '', `| ${t.head.map(md).join(' | ')} |`, `|---|${t.head.slice(1).map(() => '---:').join('|')}|`);
    for (const r of t.rows) out.push(`| ${r.map(md).join(' | ')} |`);
    out.push('');
  }
  return out;
}

export function recoveryHtml(report: Report, esc: Escape): string[] {
  const tables = recoveryTables(report).filter((t) => t.rows.length > 0);
  if (tables.length === 0) return [];
  const out = ['<h2>Recovery</h2>'];
  for (const t of tables) {
    out.push(`<p>${esc(t.title)}.</p>`, '<table class="policies">', `<thead><tr>${t.head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead>`, '<tbody>');
    for (const r of t.rows) out.push(`<tr>${r.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`);
    out.push('</tbody>', '</table>');
  }
  return out;
}
