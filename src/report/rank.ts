/**
 * "Best" only beyond noise. A policy is better than another on a figure when the paired
 * difference of their per-replication values (common random numbers: replication r is the same
 * draws under both) has a 95 % interval that excludes 0 in its favour. A value of null on a ranked
 * figure means the population did not finish (a censored percentile, no completed workflow): in
 * every replication it loses to a finite value. With one replication nothing is better.
 */
import type { Figure } from './figures.js';
import { figureValue } from './figures.js';
import { pairedDifference } from './stats.js';
import type { PolicyReport } from './types.js';

export type Better = 'lower' | 'higher';

/** Whether `a` beats `b` on `key` beyond noise. */
export function significantlyBetter(a: PolicyReport, b: PolicyReport, key: string, better: Better): boolean {
  const ra = a.replicates?.[key];
  const rb = b.replicates?.[key];
  if (!ra || !rb || ra.length !== rb.length || ra.length < 2) return false;
  if (ra.some((v) => v === null)) return false;
  // b never finished in any replication while a always did.
  if (rb.every((v) => v === null)) return true;
  const d = pairedDifference(ra, rb);
  if (!d?.significant) return false;
  return better === 'lower' ? d.mean > 0 : d.mean < 0;
}

export interface RowRank {
  /** Column indexes marked ★: empty or one. */
  best: number[];
  /** Why nothing is marked on a ranked row. */
  note?: 'tie' | 'not significant' | 'one replication' | 'no data';
}

/** The ★ of one row: the best pooled value, if it beats every other policy beyond noise. */
export function rankFigure(policies: readonly PolicyReport[], f: Figure): RowRank {
  if (!f.better || policies.length < 2) return { best: [] };
  const values = policies.map((p) => figureValue(p, f.key));
  const present = values.filter((v): v is number => v !== null);
  if (present.length === 0) return { best: [], note: 'no data' };
  const target = f.better === 'lower' ? Math.min(...present) : Math.max(...present);
  const at = values.flatMap((v, i) => (v === target ? [i] : []));
  if (at.length > 1) return { best: [], note: 'tie' };
  const i = at[0];
  if (!(policies[i].replicates && policies[i].replicates![f.key]?.length >= 2)) return { best: [], note: 'one replication' };
  const wins = policies.every((q, j) => j === i || significantlyBetter(policies[i], q, f.key, f.better!));
  return wins ? { best: [i] } : { best: [], note: 'not significant' };
}
