/**
 * The rows each chart plots, drawn from the report: distributions from the HdrHistograms (so a
 * merged report draws the same curves), time series and per-step figures from the policy figures.
 * Rows are plain objects in report order, so the same report always gives the same rows. Every
 * time series carries the scenario's fault windows as rows of `series: 'fault'`, one set per
 * policy (and panel), so each facet shades them behind its lines.
 */
import type { Histogram } from 'hdr-histogram-js';
import { figureValue } from './figures.js';
import { binCounts, cdfPoints, policyHistogram } from './histogram.js';
import type { PolicyReport, Report } from './types.js';

export type Row = Record<string, string | number>;

/**
 * Latency CDF per policy of every started workflow and every logical call (ms, for a log axis):
 * the fraction is of the whole population, so a curve tops out at the share that finished.
 */
export function latencyCdfRows(report: Report): Row[] {
  const rows: Row[] = [];
  for (const metric of ['call', 'workflow']) {
    for (const p of report.policies) {
      const h = policyHistogram(p, `${metric}.completed`);
      if (!h) continue;
      const failed = policyHistogram(p, `${metric}.failed`)?.totalCount ?? 0;
      const finished = h.totalCount / (h.totalCount + failed);
      for (const { value, fraction } of cdfPoints(h, 1000)) rows.push({ policy: p.name, metric, ms: value, fraction: fraction * finished });
    }
  }
  return rows;
}

/**
 * Workflow latency per policy in shared log-spaced bins spanning every recorded value: completed
 * workflows and the time to failure of failed ones, each as a share of started workflows.
 */
export function workflowHistogramRows(report: Report, bins = 40): Row[] {
  return histogramRows(report, [['workflow.completed', 'completed'], ['workflow.failed', 'failed']], 1000, bins, 'log');
}

/** The cost of each completed workflow (dollars) per policy in shared linear bins. */
export function costDistributionRows(report: Report, bins = 30): Row[] {
  return histogramRows(report, [['completedWorkflowCostMicros', 'completed']], 1e6, bins, 'linear');
}

/** The x range a histogram chart spans: from its lowest recorded value to its highest. */
export function histogramDomain(rows: Row[]): [number, number] | undefined {
  if (rows.length === 0) return undefined;
  return [Math.min(...rows.map((r) => r.lo as number)), Math.max(...rows.map((r) => r.hi as number))];
}

function histogramRows(report: Report, keys: [string, string][], scale: number, bins: number, spacing: 'log' | 'linear'): Row[] {
  const hs: [PolicyReport, string, Histogram][] = [];
  for (const p of report.policies) {
    for (const [key, outcome] of keys) {
      const h = policyHistogram(p, key);
      if (h) hs.push([p, outcome, h]);
    }
  }
  if (hs.length === 0) return [];
  // A log axis cannot start at 0: zero samples join the lowest band (one recorded unit).
  const min = Math.min(...hs.map(([, , h]) => h.getValueAtPercentile(0) / scale));
  const lo = spacing === 'log' ? Math.max(min, 1 / scale) : min;
  const hi = Math.max(...hs.map(([, , h]) => h.maxValue / scale));
  const edges = binEdges(lo, hi, bins, spacing);
  const rows: Row[] = [];
  for (const [p, outcome, h] of hs) {
    const total = keys.reduce((n, [key]) => n + (policyHistogram(p, key)?.totalCount ?? 0), 0);
    binCounts(h, edges, scale).forEach((count, i) => {
      if (count > 0) rows.push({ policy: p.name, outcome, lo: edges[i], hi: edges[i + 1], share: count / total });
    });
  }
  return rows;
}

function binEdges(lo: number, hi: number, bins: number, spacing: 'log' | 'linear'): number[] {
  if (!(hi > lo)) return [lo, lo > 0 ? lo * 1.01 : 1];
  if (spacing === 'log' && lo > 0) {
    const step = Math.log(hi / lo) / bins;
    return Array.from({ length: bins + 1 }, (_, i) => (i === bins ? hi : lo * Math.exp(step * i)));
  }
  const step = (hi - lo) / bins;
  return Array.from({ length: bins + 1 }, (_, i) => (i === bins ? hi : lo + step * i));
}

/** The scenario's fault windows as shading rows for each of `policies` (seconds; an open end runs to `endS`). */
export function faultRows(report: Report, policies: readonly string[], endS: number): Row[] {
  return policies.flatMap((policy) =>
    report.scenario.faultWindows.map((f) => ({ policy, series: 'fault', fault: f.label, fromS: f.from / 1000, toS: f.to === null ? endS : Math.min(f.to / 1000, endS) })),
  );
}

/** The longest world's end (s): `simulatedMs` sums the worlds of a policy. */
function endSeconds(report: Report): number {
  return Math.max(0, ...report.policies.map((p) => p.simulatedMs / Math.max(p.worlds, 1) / 1000));
}

/** The two columns of the storm chart: load on the left, what it bought on the right. */
export const STORM_PANELS = ['load: attempts and calls per second', 'goodput: workflows per second'] as const;

/**
 * Per storm window and policy, per second and per world: attempts sent and logical calls offered
 * (left panel), and workflows completed — the goodput — and failed (right panel), beside each
 * other; fault windows shaded in both.
 */
export function stormRows(report: Report): Row[] {
  const rows: Row[] = [];
  const [load, good] = STORM_PANELS;
  for (const p of report.policies) {
    const { windowMs, series } = p.storm;
    const per = Math.max(p.worlds, 1) * (windowMs / 1000);
    series.offered.forEach((offered, i) => {
      const timeS = (i * windowMs) / 1000;
      rows.push({ policy: p.name, panel: load, timeS, series: 'attempts sent', value: (series.attempts[i] ?? 0) / per });
      rows.push({ policy: p.name, panel: load, timeS, series: 'calls offered', value: offered / per });
      rows.push({ policy: p.name, panel: good, timeS, series: 'workflows completed', value: (series.completed?.[i] ?? 0) / per });
      rows.push({ policy: p.name, panel: good, timeS, series: 'workflows failed', value: (series.failed?.[i] ?? 0) / per });
    });
  }
  if (rows.length === 0) return rows;
  const shade = faultRows(report, report.policies.map((p) => p.name), endSeconds(report));
  return [...STORM_PANELS.flatMap((panel) => shade.map((r) => ({ ...r, panel }))), ...rows];
}

/** Mean dollars per started workflow spent at each step (1-based). */
export function costPerStepRows(report: Report): Row[] {
  const rows: Row[] = [];
  for (const p of report.policies) {
    const started = p.workflows.started || 1;
    p.cost.perStep.forEach((dollars, i) => rows.push({ policy: p.name, step: i + 1, dollars: dollars / started }));
  }
  return rows;
}

/**
 * One point per policy: the share of workflows completed against spend per completed workflow,
 * each with its 95 % interval when the run has replications (lo = hi = the value otherwise).
 */
export function costCompletionRows(report: Report): Row[] {
  const rows: Row[] = [];
  for (const p of report.policies) {
    const x = figureValue(p, 'workflows.successRate');
    const y = figureValue(p, 'cost.perCompletedWorkflow');
    if (x === null || y === null) continue;
    const cx = p.intervals?.['workflows.successRate'];
    const cy = p.intervals?.['cost.perCompletedWorkflow'];
    rows.push({
      policy: p.name,
      completed: x,
      completedLo: cx ? x - cx.halfWidth : x,
      completedHi: cx ? x + cx.halfWidth : x,
      dollars: y,
      dollarsLo: cy ? y - cy.halfWidth : y,
      dollarsHi: cy ? y + cy.halfWidth : y,
    });
  }
  return rows;
}

export const BREAKER_STATES = ['closed', 'open', 'half-open'] as const;

/** The policies that have a breaker, in report order: only they get a breaker-state row. */
export function breakerPolicies(report: Report): string[] {
  const has = new Set(report.scenario.policies.filter((p) => p.breaker).map((p) => p.name));
  return report.policies.filter((p) => has.has(p.name)).map((p) => p.name);
}

/** Breaker state over time (s) per policy with a breaker, first replication: a step line from 0 to the end of the run. */
export function breakerRows(report: Report): Row[] {
  const names = new Set(breakerPolicies(report));
  const rows: Row[] = [];
  for (const p of report.policies) {
    if (!names.has(p.name)) continue;
    let state = 0;
    // `seq` keeps the line in time order: with a discrete y axis Vega-Lite would sort by state.
    let seq = 0;
    rows.push({ policy: p.name, seq: seq++, timeS: 0, state: BREAKER_STATES[0] });
    for (const [timeMs, s] of p.breaker.transitions) {
      state = s;
      rows.push({ policy: p.name, seq: seq++, timeS: timeMs / 1000, state: BREAKER_STATES[s] ?? String(s) });
    }
    const endMs = Math.max(p.simulatedMs / Math.max(p.worlds, 1), p.breaker.transitions.at(-1)?.[0] ?? 0);
    rows.push({ policy: p.name, seq: seq++, timeS: endMs / 1000, state: BREAKER_STATES[state] ?? String(state) });
  }
  return rows.length ? [...faultRows(report, [...names], endSeconds(report)), ...rows] : rows;
}
