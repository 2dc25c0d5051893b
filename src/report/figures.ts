/**
 * Every figure the views print, defined once: its name (a threshold target, so a row shows exactly
 * what a threshold on that name measures), its label (the same text in the terminal, Markdown and
 * HTML, and in docs/reports.md, which defines it), its unit, and — only where "better" is
 * unambiguous and no policy can look better by failing — its direction. Counts of timeouts,
 * retries, rejections or executions have no direction: fewer is not better by itself (a policy
 * that fails fast has fewer of all of them).
 */
import { formatDuration } from '../scenario/units.js';
import { measurePolicy } from './resolve.js';
import { parseThreshold, type Target } from './threshold-grammar.js';
import type { Interval, PolicyReport } from './types.js';

/** How a figure is printed. */
export type FigureUnit = 'ms' | 'usd' | 'share' | 'count' | 'times' | 'rate';

export interface Figure {
  /** Threshold name: `workflow.p(95)`, `cost.perCompletedWorkflow`. */
  key: string;
  label: string;
  unit: FigureUnit;
  /** Ranked (★) rows only. */
  better?: 'lower' | 'higher';
  /** Shown in the compact terminal table (Markdown and HTML show every figure). */
  terminal?: boolean;
  /** Gets a 95 % interval from replications (a headline figure). */
  headline?: boolean;
}

export const FIGURES: readonly Figure[] = [
  { key: 'workflows.successRate', label: 'workflows completed', unit: 'share', better: 'higher', terminal: true, headline: true },
  { key: 'workflow.p(50)', label: 'workflow p50, all started', unit: 'ms', better: 'lower', terminal: true, headline: true },
  { key: 'workflow.p(95)', label: 'workflow p95, all started', unit: 'ms', better: 'lower', terminal: true, headline: true },
  { key: 'workflow.p(99)', label: 'workflow p99, all started', unit: 'ms', better: 'lower', terminal: true, headline: true },
  { key: 'workflow.completed.p(50)', label: 'workflow p50, completed only', unit: 'ms', headline: true },
  { key: 'workflow.completed.p(95)', label: 'workflow p95, completed only', unit: 'ms', terminal: true, headline: true },
  { key: 'workflow.failed.p(50)', label: 'time to failure p50, failed only', unit: 'ms', terminal: true, headline: true },
  { key: 'call.p(50)', label: 'call p50, all calls', unit: 'ms', better: 'lower', headline: true },
  { key: 'call.p(99)', label: 'call p99, all calls', unit: 'ms', better: 'lower', terminal: true, headline: true },
  { key: 'call.completed.p(99)', label: 'call p99, answered only', unit: 'ms', headline: true },
  { key: 'attempt.p(99)', label: 'attempt p99, timeouts at their timeout', unit: 'ms', terminal: true, headline: true },
  { key: 'calls.amplification', label: 'tries per call (attempts + rejections)', unit: 'times', terminal: true, headline: true },
  { key: 'calls.agentRetries', label: 'agent-layer retries', unit: 'count', terminal: true },
  { key: 'calls.transportRetries', label: 'transport retries', unit: 'count', terminal: true },
  { key: 'calls.timeouts', label: 'timeouts', unit: 'count', terminal: true },
  { key: 'calls.rejected', label: 'breaker and bulkhead rejections', unit: 'count', terminal: true },
  { key: 'storm.peakAttemptsPerSec', label: 'storm: peak attempts/s', unit: 'rate', terminal: true, headline: true },
  { key: 'storm.peakVsBaseline', label: 'storm: peak vs pre-fault attempts/s', unit: 'times', terminal: true, headline: true },
  { key: 'storm.peakRatio', label: 'storm: peak attempts per offered call', unit: 'times', terminal: true, headline: true },
  { key: 'storm.windowsAbove2x', label: 'storm: windows above 2 attempts per offered call', unit: 'count' },
  { key: 'calls.zombieExecutions', label: 'zombie executions', unit: 'count', terminal: true },
  { key: 'calls.duplicateExecutions', label: 'duplicate executions', unit: 'count', terminal: true },
  { key: 'calls.nonIdempotentDuplicates', label: 'non-idempotent duplicates', unit: 'count' },
  { key: 'breaker.opens', label: 'breaker opens', unit: 'count', terminal: true },
  { key: 'breaker.rejected', label: 'breaker rejections', unit: 'count' },
  { key: 'calls.bulkheadRejected', label: 'bulkhead rejections', unit: 'count' },
  { key: 'calls.budgetExhausted', label: 'retries refused by the budget', unit: 'count' },
  { key: 'calls.hedgesSent', label: 'hedges sent', unit: 'count' },
  { key: 'calls.hedgesWon', label: 'hedges won', unit: 'count' },
  { key: 'calls.hedgesWasted', label: 'attempts wasted by hedging', unit: 'count' },
  { key: 'calls.streamCuts', label: 'streams cut by a hop', unit: 'count' },
  { key: 'calls.shedByRelay', label: 'requests shed by the relay', unit: 'count' },
  { key: 'calls.limitRejected', label: 'calls refused by the concurrency limit', unit: 'count' },
  { key: 'tokens.perCompletedWorkflow', label: 'tokens per completed workflow', unit: 'count', better: 'lower', terminal: true, headline: true },
  { key: 'cost.perCompletedWorkflow', label: 'spend per completed workflow', unit: 'usd', better: 'lower', terminal: true, headline: true },
  { key: 'completedWorkflowCost.p(50)', label: 'completed workflow cost p50', unit: 'usd', headline: true },
  { key: 'completedWorkflowCost.p(95)', label: 'completed workflow cost p95', unit: 'usd', terminal: true, headline: true },
  { key: 'cost.retryTurnsShare', label: 'spend on agent-layer retry turns', unit: 'share', terminal: true, headline: true },
  { key: 'cost.failedWorkflowsShare', label: 'spend on failed workflows', unit: 'share', terminal: true, headline: true },
  { key: 'tokens.cacheHitRate', label: 'cache hit rate', unit: 'share' },
  { key: 'tokens.cacheExpiries', label: 'cache expiries', unit: 'count', terminal: true },
  { key: 'tokens.overflows', label: 'context overflows', unit: 'count', terminal: true },
  { key: 'tokens.contextDrops', label: 'context drops', unit: 'count' },
  { key: 'tokens.summaries', label: 'context summaries', unit: 'count' },
  { key: 'tokens.spendCapAborts', label: 'spend-cap aborts', unit: 'count' },
];

const targets = new Map<string, Target>();

/** The figure's target, parsed once. */
export function figureTarget(key: string): Target {
  let t = targets.get(key);
  if (!t) targets.set(key, (t = parseThreshold(`${key} >= 0`, `figure '${key}'`).target));
  return t;
}

/** A figure's value on a policy: what a threshold on its key measures (null: no data, or censored). */
export function figureValue(p: PolicyReport, key: string): number | null {
  const v = measurePolicy(p, figureTarget(key)).value;
  return v !== null && Number.isFinite(v) ? v : null;
}

/** A censored percentile's cell: "—, 44.2% failed"; a missing value's: "—". */
export function absentText(p: PolicyReport, key: string): string {
  const m = measurePolicy(p, figureTarget(key));
  return m.absent === 'censored' && m.failedShare !== undefined ? `—, ${formatShare(m.failedShare)} failed` : '—';
}

export function formatShare(v: number): string {
  return `${(v * 100).toFixed(1)}%`;
}

/** Dollars: four decimals under a dime, cents from a dollar, grouped from a thousand. */
function money(v: number): string {
  const a = Math.abs(v);
  const sign = v < 0 ? '-' : '';
  if (a < 0.1) return `${sign}$${a.toFixed(4)}`;
  if (a < 1) return `${sign}$${a.toFixed(3)}`;
  return `${sign}$${a.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
}

/** A value in a figure's unit; null prints as a dash. */
export function formatFigure(v: number | null, unit: FigureUnit): string {
  if (v === null || !Number.isFinite(v)) return '—';
  switch (unit) {
    case 'ms':
      return formatDuration(v);
    case 'usd':
      return money(v);
    case 'share':
      return formatShare(v);
    case 'times':
      return `${v.toFixed(2)}×`;
    case 'rate':
      return v >= 100 ? Math.round(v).toLocaleString('en-US') : v.toPrecision(3);
    case 'count':
      return Math.round(v).toLocaleString('en-US');
  }
}

/** An interval's half-width, `±1.2s`, `±$0.004`, `±0.4pp` (percentage points); empty without one or when it is 0. */
export function formatHalfWidth(ci: Interval | null | undefined, unit: FigureUnit): string {
  if (!ci) return '';
  const hw = ci.halfWidth;
  // Float noise on a constant (every replication the same) is no spread.
  if (!(hw > 1e-9 * Math.max(1, Math.abs(ci.mean)))) return '';
  if (unit === 'share') return `±${(hw * 100).toFixed(1)}pp`;
  if (unit === 'times') return `±${hw.toFixed(2)}`;
  return `±${formatFigure(hw, unit)}`;
}

/** A figure's cell: the pooled value (or why there is none) and, with replications, its half-width. */
export function figureCell(p: PolicyReport, f: Figure): string {
  const v = figureValue(p, f.key);
  if (v === null) return absentText(p, f.key);
  const hw = formatHalfWidth(p.intervals?.[f.key], f.unit);
  return hw ? `${formatFigure(v, f.unit)} ${hw}` : formatFigure(v, f.unit);
}

/** The figure with this key (throws on an unknown key: a bug). */
export function figure(key: string): Figure {
  const f = FIGURES.find((x) => x.key === key);
  if (!f) throw new RangeError(`no figure '${key}'`);
  return f;
}
