/**
 * The sweep report (`schema: "tunnelsim.sweep/v2"`): one entry per grid point with the values the
 * point set and, per policy, the figures that decide between policies, with the populations of
 * the run report (docs/reports.md): `workflowP95` is over every started workflow, a failed one at
 * +∞ (null when more than 5 % failed), `workflowCompletedP95` the survivors'. Like the run report
 * it holds no wall-clock stamps, so the same sweep gives the same file.
 */
import { figureValue, formatFigure, formatShare } from './figures.js';
import type { PolicyReport } from './types.js';

export const SWEEP_SCHEMA = 'tunnelsim.sweep/v2';

export interface SweepFigures {
  name: string;
  workflowsStarted: number;
  /** Null: no data (none started), or censored (a percentile past the completed share). */
  successRate: number | null;
  failedRate: number | null;
  workflowP50: number | null;
  workflowP95: number | null;
  workflowP99: number | null;
  workflowCompletedP95: number | null;
  callP99: number | null;
  /** Failed logical calls ÷ logical calls: why `callP99` can be null. */
  callFailedRate: number | null;
  amplification: number | null;
  retries: number;
  timeouts: number;
  rejected: number;
  stormPeakAttemptsPerSec: number;
  stormPeakVsBaseline: number | null;
  stormPeakRatio: number | null;
  stormWindowsAbove2x: number;
  tokensPerCompletedWorkflow: number | null;
  costPerCompletedWorkflow: number | null;
  zombieExecutions: number;
  duplicateExecutions: number;
  breakerOpens: number;
  breakerRejected: number;
  budgetExhausted: number;
  hedgesSent: number;
  hedgesWon: number;
  hedgesWasted: number;
  bulkheadRejected: number;
}

export interface SweepPoint {
  /** The value each `--set` path took at this point, as typed on the command line. */
  set: Record<string, string>;
  seed: number;
  policies: SweepFigures[];
}

export interface SweepReport {
  schema: typeof SWEEP_SCHEMA;
  tool: { name: 'tunnelsim'; version: string };
  scenario: { name: string; file: string };
  /** The swept paths, in `--set` order (the first varies slowest). */
  keys: string[];
  points: SweepPoint[];
}

export function sweepFigures(p: PolicyReport): SweepFigures {
  const c = p.calls;
  return {
    name: p.name,
    workflowsStarted: p.workflows.started,
    successRate: p.workflows.successRate,
    failedRate: p.workflows.failedRate,
    workflowP50: figureValue(p, 'workflow.p(50)'),
    workflowP95: figureValue(p, 'workflow.p(95)'),
    workflowP99: figureValue(p, 'workflow.p(99)'),
    workflowCompletedP95: figureValue(p, 'workflow.completed.p(95)'),
    callP99: figureValue(p, 'call.p(99)'),
    callFailedRate: c.logical ? Number((c.failed / c.logical).toPrecision(6)) : null,
    amplification: c.amplification,
    retries: c.retries,
    timeouts: c.timeouts,
    rejected: c.rejected,
    stormPeakAttemptsPerSec: p.storm.peakAttemptsPerSec,
    stormPeakVsBaseline: p.storm.peakVsBaseline,
    stormPeakRatio: p.storm.peakRatio,
    stormWindowsAbove2x: p.storm.windowsAbove2x,
    tokensPerCompletedWorkflow: p.tokens.perCompletedWorkflow,
    costPerCompletedWorkflow: p.cost.perCompletedWorkflow,
    zombieExecutions: c.zombieExecutions,
    duplicateExecutions: c.duplicateExecutions,
    breakerOpens: p.breaker.opens,
    breakerRejected: p.breaker.rejected,
    budgetExhausted: c.budgetExhausted ?? 0,
    hedgesSent: c.hedgesSent ?? 0,
    hedgesWon: c.hedgesWon ?? 0,
    hedgesWasted: c.hedgesWasted ?? 0,
    bulkheadRejected: c.bulkheadRejected ?? 0,
  };
}

/** A percentile over every started workflow (or call): the value, or why there is none. */
const censored = (v: number | null, failed: number | null) => (v !== null ? formatFigure(v, 'ms') : failed ? `—, ${formatShare(failed)} failed` : '—');

const COLUMNS: [string, (f: SweepFigures) => string][] = [
  ['completed', (f) => formatFigure(f.successRate, 'share')],
  ['wf p95 all', (f) => censored(f.workflowP95, f.failedRate)],
  ['wf p95 completed', (f) => formatFigure(f.workflowCompletedP95, 'ms')],
  ['call p99 all', (f) => censored(f.callP99, f.callFailedRate)],
  ['tries/call', (f) => formatFigure(f.amplification, 'times')],
  ['peak att/s', (f) => formatFigure(f.stormPeakAttemptsPerSec, 'rate')],
  ['vs pre-fault', (f) => formatFigure(f.stormPeakVsBaseline, 'times')],
  ['spend/completed', (f) => formatFigure(f.costPerCompletedWorkflow, 'usd')],
  ['brk', (f) => String(f.breakerOpens)],
  ['budget', (f) => String(f.budgetExhausted)],
  ['hedge w/x', (f) => `${f.hedgesWon}/${f.hedgesWasted}`],
  ['zombie', (f) => String(f.zombieExecutions)],
];

/** One row per point × policy: the set values, the policy, its headline figures. */
export function sweepTable(r: SweepReport): string {
  const header = [...r.keys, 'policy', ...COLUMNS.map(([h]) => h)];
  const rows = r.points.flatMap((pt) => pt.policies.map((f) => [...r.keys.map((k) => pt.set[k]), f.name, ...COLUMNS.map(([, v]) => v(f))]));
  const all = [header, ...rows];
  const widths = header.map((_, i) => Math.max(...all.map((row) => row[i].length)));
  const keyCols = r.keys.length + 1;
  return [
    `${r.scenario.name} — sweep of ${r.points.length} points`,
    ...all.map((row) => row.map((cell, i) => (i < keyCols ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  ')),
  ].join('\n');
}
