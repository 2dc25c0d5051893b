/**
 * The terminal view: the verdict first, then the compact table — one column per policy, one row
 * per figure of figures.ts marked `terminal`, with the labels every view uses — and the key to ★.
 * Colour only on a TTY without NO_COLOR.
 */
import { FIGURES, figureCell } from './figures.js';
import { rankFigure } from './rank.js';
import { liveLines, runDescription } from './run-info.js';
import type { Report } from './types.js';
import { entryValue, objectiveLine, objectiveOf, standing, verdictOf, whyLines } from './verdict.js';

/** What ★ means, in every view; with one replication there is no interval, so no ★. */
export function starNote(report: Report): string {
  if (report.replications < 2) return '★ needs two replications or more: with one there is no interval, so no policy is marked best (replications: 5 is the default).';
  return '★ best beyond noise: the paired 95% interval (common random numbers) excludes 0 against every other policy; a ranked row without ★ has no significant difference. Rows with no direction are never ranked.';
}

function pad(rows: string[][], right = true): string[] {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((l) => l[i].length)));
  return rows.map((l) => l.map((cell, i) => (i === 0 || !right ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  ').trimEnd());
}

/** The verdict block: the answer, the objective, each policy's standing and the figures behind it. */
export function terminalVerdict(report: Report): string[] {
  const v = report.verdict ?? verdictOf(report);
  const { unit } = objectiveOf(report);
  const out = [`verdict: ${v.summary}`, `  ${objectiveLine(v)}`];
  out.push(...pad(v.ranking.map((e) => [e.policy, entryValue(e, unit), standing(v, e)]), false).map((l) => `  ${l}`));
  out.push('why, per policy:');
  for (const e of v.ranking) {
    const lines = whyLines(e);
    const name = e.policy.padEnd(Math.max(...v.ranking.map((x) => x.policy.length)));
    out.push(`  ${name}  ${lines[0]}`, ...lines.slice(1).map((l) => `  ${' '.repeat(name.length)}  ${l}`));
  }
  return out;
}

export function terminalTable(report: Report, color = false): string {
  const ps = report.policies;
  const lines: string[][] = [['', ...ps.map((p) => p.name)]];
  for (const f of FIGURES.filter((x) => x.terminal)) {
    const { best } = rankFigure(ps, f);
    lines.push([f.label, ...ps.map((p, i) => `${figureCell(p, f)}${best.includes(i) ? ' ★' : '  '}`)]);
  }
  const bold = (s: string) => (color ? `\x1b[1m${s}\x1b[0m` : s);
  const table = pad(lines);
  table[0] = bold(table[0]);
  const title = `${report.scenario.name} — ${runDescription(report)}`;
  const verdict = report.shard ? ['(a shard: merge every shard for the verdict)'] : terminalVerdict(report);
  return [bold(title), ...liveLines(report), ...verdict, '', ...table, starNote(report)].join('\n');
}
