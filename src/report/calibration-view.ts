/**
 * What each timeout is: per tool, the calibrated attempt-latency p50/p95/p99 a percentile rule
 * read (when a policy used one) and the timeout every policy resolved. The same rows feed the
 * terminal block, the Markdown table and the HTML table, so `p95x1.5` always says which p95.
 */
import { formatDuration } from '../scenario/units.js';
import type { Report } from './types.js';

export interface TimeoutTable {
  /** One sentence: where the percentiles came from (empty when no policy used one). */
  source: string;
  head: string[];
  rows: string[][];
}

function duration(ms: number | null): string {
  return ms === null ? 'none' : formatDuration(ms);
}

/** The sentence that says which pass the percentiles came from. */
export function calibrationSource(report: Report): string {
  const c = report.scenario.calibration;
  if (!c) return '';
  const tools = Object.values(c.tools);
  const probed = tools.filter((t) => t.source === 'probe').length;
  const parts: string[] = [];
  if (c.window) {
    const w = c.window;
    const how = w.warmup === 'auto' ? 'warm-up cut by MSER' : w.warmup === 'fixed' ? 'fixed warm-up' : 'no warm-up cut (pass too short)';
    const from = w.fromMs === 0 ? '0s' : formatDuration(w.fromMs);
    parts.push(`a neutral pass at this load, steady state ${from}–${formatDuration(w.toMs)} (${how}${w.extended ? ', run four times as long to settle' : ''})`);
    parts.push(`fault windows ${c.faults === 'exclude' ? 'left out' : 'included'}`);
    if (w.drift > 0.1) parts.push(`NOT STEADY: mean latency still rose ${Math.round(w.drift * 100)}% across the window`);
  }
  if (probed > 0) parts.push(`${probed === tools.length ? 'every tool' : `${probed} of ${tools.length} tools`} from \`tunnelsim probe\` samples`);
  return `percentiles from ${parts.join('; ')}`;
}

/** Per tool: calibrated percentiles (when calibrated) and each policy's resolved timeout. */
export function timeoutTable(report: Report): TimeoutTable {
  const cal = report.scenario.calibration;
  const policies = report.scenario.policies.filter((p) => report.policies.some((r) => r.name === p.name));
  const tools = Object.keys(policies[0]?.timeouts ?? cal?.tools ?? {});
  const head = ['tool', ...(cal ? ['attempts', 'p50', 'p95', 'p99'] : []), ...policies.map((p) => p.name)];
  const rows = tools.map((tool) => {
    const c = cal?.tools[tool];
    const pct = cal ? (c ? [c.count.toLocaleString('en-US'), formatDuration(c.p50), formatDuration(c.p95), formatDuration(c.p99)] : ['—', '—', '—', '—']) : [];
    return [tool, ...pct, ...policies.map((p) => duration(p.timeouts[tool] ?? null))];
  });
  return { source: calibrationSource(report), head, rows };
}

/** The terminal block printed under the policy table when a policy used a percentile rule. */
export function calibrationBlock(report: Report): string {
  if (!report.scenario.calibration) return '';
  const t = timeoutTable(report);
  const lines = [t.head, ...t.rows];
  const widths = t.head.map((_, i) => Math.max(...lines.map((l) => l[i].length)));
  const out = lines.map((l) => l.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  '));
  return [`timeouts per tool; ${t.source}`, ...out].join('\n');
}
