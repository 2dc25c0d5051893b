/**
 * A compare result as the Markdown a CI job summary (or a pull-request comment) shows: the verdict,
 * the table of checks, and a bar chart for every figure that moved — baseline and current side by
 * side per policy. The charts are text (block characters in a code block): a job summary renders
 * no images from the run, and text survives every Markdown renderer and email digest.
 */
import { formatChange, type CompareCheck, type CompareResult } from './compare.js';
import { compareTable } from './compare-output.js';
import { formatValue } from './resolve.js';

export interface CompareMarkdownOptions {
  /** The heading, e.g. the scenario's name. @default 'tunnelsim compare' */
  title?: string;
  /** The files compared, as the reader knows them. */
  baseline?: string;
  current?: string;
  /** A figure is charted when it moved by at least this share (or its check failed). @default 0.01 */
  minChange?: number;
  /** Width of the longest bar, in characters. @default 40 */
  barWidth?: number;
}

export const DEFAULT_COMPARE_MARKDOWN = { title: 'tunnelsim compare', minChange: 0.01, barWidth: 40 } as const;

const EIGHTHS = ['', '▏', '▎', '▍', '▌', '▋', '▊', '▉'];

/** A bar of `value / max` of `width` characters, to an eighth of a character. */
export function bar(value: number, max: number, width: number): string {
  if (!(max > 0) || !(value > 0)) return '';
  const eighths = Math.round((Math.min(value, max) / max) * width * 8);
  return '█'.repeat(Math.floor(eighths / 8)) + EIGHTHS[eighths % 8];
}

/** The checks that moved, grouped by the figure they check, in first-seen order. */
function moved(result: CompareResult, minChange: number): Map<string, CompareCheck[]> {
  const groups = new Map<string, CompareCheck[]>();
  for (const c of result.checks) {
    if (c.baseline === null || c.current === null) continue;
    if (c.ok && (c.change === null || Math.abs(c.change) < minChange)) continue;
    // The figure without its limit: `workflow.p(95) <= +10%` → `workflow.p(95)`.
    const figure = c.expression.replace(/\s*(<=|>=|<|>|==|!=).*$/, '');
    let list = groups.get(figure);
    if (!list) groups.set(figure, (list = []));
    list.push(c);
  }
  return groups;
}

function chart(figure: string, checks: CompareCheck[], width: number): string {
  const max = Math.max(...checks.flatMap((c) => [Math.abs(c.baseline!), Math.abs(c.current!)]));
  const label = Math.max(...checks.map((c) => c.scope.length));
  const lines = [figure];
  for (const c of checks) {
    const change = c.change === null ? '' : `  ${formatChange(c.change)}`;
    lines.push(`${c.scope.padEnd(label)}  baseline ${bar(Math.abs(c.baseline!), max, width).padEnd(width)} ${formatValue(c.baseline, c.unit)}`);
    lines.push(`${''.padEnd(label)}  current  ${bar(Math.abs(c.current!), max, width).padEnd(width)} ${formatValue(c.current, c.unit)}${change}${c.ok ? '' : '  FAIL'}`);
  }
  return lines.join('\n');
}

export function compareMarkdown(result: CompareResult, options: CompareMarkdownOptions = {}): string {
  const o = { ...DEFAULT_COMPARE_MARKDOWN, ...options };
  if (!(o.minChange >= 0)) throw new RangeError(`minChange must be ≥ 0, got ${o.minChange}`);
  if (!(Number.isInteger(o.barWidth) && o.barWidth >= 4)) throw new RangeError(`barWidth must be an integer ≥ 4, got ${o.barWidth}`);
  const verdict = result.ok ? `**No regression**: ${result.checks.length} checks passed.` : `**Regression**: ${result.failed} of ${result.checks.length} checks failed.`;
  const out = [`## ${o.title}`, '', verdict, ''];
  if (o.baseline || o.current) out.push(`Baseline \`${o.baseline ?? '?'}\`, current \`${o.current ?? '?'}\`.`, '');
  out.push(compareTable(result).trimEnd(), '');
  const groups = moved(result, o.minChange);
  out.push('### What changed', '');
  if (groups.size === 0) out.push(`No checked figure moved by ${formatChange(o.minChange).replace('+', '')} or more.`, '');
  for (const [figure, checks] of groups) out.push('```text', chart(figure, checks, o.barWidth), '```', '');
  return `${out.join('\n')}`;
}
