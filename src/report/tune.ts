/** Terminal view of a tune report: the comparison table and the policy block to paste. */
import { formatFigure } from './figures.js';
import type { Candidate, TuneReport } from './tune-report.js';

const fmt = (v: number | null): string => (v === null ? '—' : Math.abs(v) >= 100 ? v.toFixed(0) : v.toPrecision(4));

export function tuneTable(r: TuneReport): string {
  const cols: [string, (c: Candidate) => string][] = [
    ['policy', (c) => c.name],
    [r.objective, (c) => fmt(c.objective)],
    ['meets SLO', (c) => (c.meetsSlo ? 'yes' : 'no')],
    ['completed', (c) => formatFigure(c.successRate, 'share')],
    ['workflow p95, all started', (c) => (c.workflowP95 !== null ? formatFigure(c.workflowP95, 'ms') : c.successRate !== null ? `—, ${formatFigure(1 - c.successRate, 'share')} failed` : '—')],
    ['spend per completed workflow', (c) => formatFigure(c.costPerCompletedWorkflow, 'usd')],
    ['tries per call', (c) => formatFigure(c.amplification, 'times')],
  ];
  const rows = [cols.map((c) => c[0]), ...r.comparison.map((c) => cols.map((col) => col[1](c)))];
  const widths = cols.map((_, i) => Math.max(...rows.map((row) => row[i].length)));
  return rows.map((row) => row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  ')).join('\n');
}

export function tuneSummary(r: TuneReport): string {
  const head = `${r.scenario.name}: ${r.maximize ? 'maximise' : 'minimise'} ${r.objective} subject to ${r.slo.join(' and ')} (${r.evaluated} candidates, ${r.rounds} rounds)`;
  if (!r.best) return `${head}\nno candidate in the search space meets the SLO; the closest are in the table`;
  const settings = Object.entries(r.best.settings)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  return `${head}\nbest: ${settings} → ${r.objective} = ${fmt(r.best.objective)}`;
}
