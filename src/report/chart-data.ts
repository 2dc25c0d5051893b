/**
 * The rows each chart plots, drawn from the report: distributions from the HdrHistograms (so a
 * merged report draws the same curves), time series and per-step figures from the policy figures.
 * Rows are plain objects in report order, so the same report always gives the same rows.
 */
import type { Histogram } from 'hdr-histogram-js';
import { binCounts, cdfPoints, policyHistogram } from './histogram.js';
import type { PolicyReport, Report } from './types.js';

export type Row = Record<string, string | number>;

/** Latency CDF per policy for whole workflows and single calls (ms, for a log axis). */
export function latencyCdfRows(report: Report): Row[] {
  const rows: Row[] = [];
  for (const metric of ['call', 'workflow']) {
    for (const p of report.policies) {
      const h = policyHistogram(p, metric);
      if (!h) continue;
      for (const { value, fraction } of cdfPoints(h, 1000)) rows.push({ policy: p.name, metric, ms: value, fraction });
    }
  }
  return rows;
}

/** Workflow latency per policy in shared log-spaced bins, as a share of completed workflows. */
export function workflowHistogramRows(report: Report, bins = 40): Row[] {
  return histogramRows(report, 'workflow', 1000, bins, 'log');
}

/** Cost per completed workflow (dollars) per policy in shared linear bins. */
export function costDistributionRows(report: Report, bins = 30): Row[] {
  return histogramRows(report, 'costPerCompletedWorkflowMicros', 1e6, bins, 'linear');
}

function histogramRows(report: Report, key: string, scale: number, bins: number, spacing: 'log' | 'linear'): Row[] {
  const hs = report.policies
    .map((p) => [p, policyHistogram(p, key)] as [PolicyReport, Histogram | undefined])
    .filter((e): e is [PolicyReport, Histogram] => e[1] !== undefined);
  if (hs.length === 0) return [];
  // A log axis cannot start at 0: zero samples join the lowest band (one recorded unit).
  const min = Math.min(...hs.map(([, h]) => h.getValueAtPercentile(0) / scale));
  const lo = spacing === 'log' ? Math.max(min, 1 / scale) : min;
  const hi = Math.max(...hs.map(([, h]) => h.maxValue / scale));
  const edges = binEdges(lo, hi, bins, spacing);
  const rows: Row[] = [];
  for (const [p, h] of hs) {
    const counts = binCounts(h, edges, scale);
    counts.forEach((count, i) => {
      rows.push({ policy: p.name, lo: edges[i], hi: edges[i + 1], share: count / h.totalCount });
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

/** Per storm window: attempts sent and logical calls offered, at the window's start (s). */
export function stormRows(report: Report): Row[] {
  const rows: Row[] = [];
  for (const p of report.policies) {
    const { windowMs, series } = p.storm;
    series.offered.forEach((offered, i) => {
      const timeS = (i * windowMs) / 1000;
      rows.push({ policy: p.name, timeS, series: 'attempts sent', value: series.attempts[i] ?? 0 });
      rows.push({ policy: p.name, timeS, series: 'calls offered', value: offered });
    });
  }
  return rows;
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

export const BREAKER_STATES = ['closed', 'open', 'half-open'] as const;

/** Breaker state over time (s) per policy: a step line from 0 to the end of the run. */
export function breakerRows(report: Report): Row[] {
  const rows: Row[] = [];
  for (const p of report.policies) {
    let state = 0;
    // `seq` keeps the line in time order: with a discrete y axis Vega-Lite would sort by state.
    let seq = 0;
    rows.push({ policy: p.name, seq: seq++, timeS: 0, state: BREAKER_STATES[0] });
    for (const [timeMs, s] of p.breaker.transitions) {
      state = s;
      rows.push({ policy: p.name, seq: seq++, timeS: timeMs / 1000, state: BREAKER_STATES[s] ?? String(s) });
    }
    const endMs = Math.max(p.simulatedMs, p.breaker.transitions.at(-1)?.[0] ?? 0);
    rows.push({ policy: p.name, seq: seq++, timeS: endMs / 1000, state: BREAKER_STATES[state] ?? String(state) });
  }
  return rows;
}
