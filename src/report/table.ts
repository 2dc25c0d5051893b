/**
 * The policy comparison table shared by the Markdown and HTML reports: one column per policy, one
 * row per figure of figures.ts (the same labels and cells as the terminal), and on ranked rows the
 * policy that is best beyond noise marked (rank.ts).
 */
import { FIGURES, figureCell, figureValue } from './figures.js';
import { rankFigure, type RowRank } from './rank.js';
import type { Report } from './types.js';

export interface TableRow {
  /** The figure's threshold name. */
  key: string;
  label: string;
  cells: string[];
  /** Column indexes holding the best value beyond noise (empty: no direction, a tie or no significant difference). */
  best: number[];
  /** Why a ranked row has no ★. */
  note?: RowRank['note'];
}

export interface PolicyTable {
  policies: string[];
  rows: TableRow[];
}

/** Builds the table; rows whose figure no policy has (hedges in a run without hedging) are left out. */
export function policyTable(report: Report): PolicyTable {
  const ps = report.policies;
  const rows = FIGURES.filter((f) => f.terminal || ps.some((p) => (figureValue(p, f.key) ?? 0) !== 0)).map((f): TableRow => {
    const { best, note } = rankFigure(ps, f);
    return { key: f.key, label: f.label, cells: ps.map((p) => figureCell(p, f)), best, note };
  });
  return { policies: ps.map((p) => p.name), rows };
}
