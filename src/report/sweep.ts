/**
 * The sweep report (`schema: "tunnelsim.sweep/v1"`): one entry per grid point with the values the
 * point set and, per policy, the figures that decide between policies. Like the run report it
 * holds no wall-clock stamps, so the same sweep gives the same file.
 */
import { formatDuration } from '../scenario/units.js';
import type { PolicyReport } from './types.js';

export const SWEEP_SCHEMA = 'tunnelsim.sweep/v1';

export interface SweepFigures {
  name: string;
  workflowsStarted: number;
  successRate: number;
  workflowP50: number;
  workflowP95: number;
  workflowP99: number;
  callP99: number;
  amplification: number;
  retries: number;
  timeouts: number;
  stormPeakRatio: number;
  stormWindowsAbove2x: number;
  tokensPerCompletedWorkflow: number;
  costPerCompletedWorkflow: number;
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
    workflowP50: p.latency.workflow.p50,
    workflowP95: p.latency.workflow.p95,
    workflowP99: p.latency.workflow.p99,
    callP99: p.latency.call.p99,
    amplification: c.amplification,
    retries: c.retries,
    timeouts: c.timeouts,
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

const COLUMNS: [string, (f: SweepFigures) => string][] = [
  ['ok', (f) => `${(f.successRate * 100).toFixed(1)}%`],
  ['wf p95', (f) => formatDuration(f.workflowP95)],
  ['call p99', (f) => formatDuration(f.callP99)],
  ['ampl', (f) => `${f.amplification.toFixed(2)}×`],
  ['storm', (f) => `${f.stormPeakRatio.toFixed(2)}×`],
  ['$/wf', (f) => `$${f.costPerCompletedWorkflow.toFixed(4)}`],
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
