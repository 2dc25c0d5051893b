/**
 * The compact terminal table: one column per policy, one row per figure, the best value of each
 * row marked with `*`. Colour only on a TTY without NO_COLOR.
 */
import type { PolicyReport, Report } from './types.js';
import { formatDuration } from '../scenario/units.js';

interface Row {
  label: string;
  value: (p: PolicyReport) => number;
  format: (v: number) => string;
  /** Which direction is better; undefined: not ranked. */
  better?: 'low' | 'high';
}

const pct = (v: number) => `${(v * 100).toFixed(1)}%`;
const money = (v: number) => `$${v < 0.1 ? v.toFixed(4) : v.toFixed(3)}`;
const num = (v: number) => (Number.isInteger(v) ? v.toLocaleString('en-US') : v.toFixed(2));
const times = (v: number) => `${v.toFixed(2)}×`;

export const ROWS: Row[] = [
  { label: 'workflows completed', value: (p) => p.workflows.successRate, format: pct, better: 'high' },
  { label: 'workflow p50', value: (p) => p.latency.workflow.p50, format: formatDuration, better: 'low' },
  { label: 'workflow p95', value: (p) => p.latency.workflow.p95, format: formatDuration, better: 'low' },
  { label: 'workflow p99', value: (p) => p.latency.workflow.p99, format: formatDuration, better: 'low' },
  { label: 'call p99', value: (p) => p.latency.call.p99, format: formatDuration, better: 'low' },
  { label: 'amplification (attempts/call)', value: (p) => p.calls.amplification, format: times, better: 'low' },
  { label: 'retries', value: (p) => p.calls.retries, format: num, better: 'low' },
  { label: 'timeouts', value: (p) => p.calls.timeouts, format: num, better: 'low' },
  { label: 'retry storm peak (attempts/offered)', value: (p) => p.storm.peakRatio, format: times, better: 'low' },
  { label: 'zombie executions', value: (p) => p.calls.zombieExecutions, format: num, better: 'low' },
  { label: 'duplicate executions', value: (p) => p.calls.duplicateExecutions, format: num, better: 'low' },
  { label: 'breaker opens', value: (p) => p.breaker.opens, format: num },
  { label: 'tokens / completed workflow', value: (p) => p.tokens.perCompletedWorkflow, format: (v) => Math.round(v).toLocaleString('en-US'), better: 'low' },
  { label: 'cost / completed workflow', value: (p) => p.cost.perCompletedWorkflow, format: money, better: 'low' },
  { label: 'cost p95 / completed workflow', value: (p) => p.costPerCompletedWorkflow.p95, format: money, better: 'low' },
  { label: 'retry tax (share of spend)', value: (p) => p.cost.retryTaxShare, format: pct, better: 'low' },
  { label: 'context overflows', value: (p) => p.tokens.overflows, format: num, better: 'low' },
  { label: 'cache expiries', value: (p) => p.tokens.cacheExpiries ?? 0, format: num, better: 'low' },
];

export function terminalTable(report: Report, color = false): string {
  const ps = report.policies;
  const header = ['', ...ps.map((p) => p.name)];
  const lines: string[][] = [header];
  for (const row of ROWS) {
    const values = ps.map(row.value);
    let best: number | undefined;
    if (row.better && ps.length > 1 && new Set(values).size > 1) best = row.better === 'low' ? Math.min(...values) : Math.max(...values);
    lines.push([row.label, ...values.map((v) => `${row.format(v)}${v === best ? ' *' : '  '}`)]);
  }
  const widths = header.map((_, i) => Math.max(...lines.map((l) => l[i].length)));
  const bold = (s: string) => (color ? `\x1b[1m${s}\x1b[0m` : s);
  const out = lines.map((l) => l.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  '));
  out[0] = bold(out[0]);
  const title = `${report.scenario.name} — ${report.mode}, seed ${report.seed}${report.shard ? `, shard ${report.shard}` : ''}`;
  return [bold(title), ...out, '* best in row'].join('\n');
}
