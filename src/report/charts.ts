/**
 * The report's charts: Vega-Lite specs rendered to SVG headlessly with vega (`renderer: 'none'`,
 * `View.toSVG()`), so the HTML needs no script and the Markdown links plain SVG files. Nothing in a
 * spec depends on time or on the host, so the same report renders to the same bytes. Every time
 * series shades the scenario's fault windows, so a reader sees when the faults happened.
 */
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import {
  breakerPolicies, breakerRows, costCompletionRows, costDistributionRows, costPerStepRows, histogramDomain, latencyCdfRows, stormRows,
  STORM_PANELS, workflowHistogramRows, type Row,
} from './chart-data.js';
import { successfulCallsRows, successfulCallsSpec } from './calls-chart.js';
import type { Report } from './types.js';

export interface ChartDef {
  id: string;
  title: string;
  /** How to read the chart (shown under it), naming what is shaded. */
  caption(report: Report): string;
  rows(report: Report): Row[];
  spec(rows: Row[], policies: string[], report: Report): TopLevelSpec;
}

export interface RenderedChart {
  id: string;
  title: string;
  caption: string;
  svg: string;
}

const WIDTH = 560;
const CONFIG = {
  font: 'Helvetica, Arial, sans-serif',
  background: 'white',
  view: { stroke: '#ddd' },
  axis: { labelFontSize: 11, titleFontSize: 12, grid: true, gridColor: '#eee' },
  legend: { labelFontSize: 11, titleFontSize: 12, labelLimit: 260 },
};

/** One colour per policy, the same in every chart. */
function policyColor(policies: string[]) {
  return { field: 'policy', type: 'nominal' as const, scale: { domain: policies, scheme: 'tableau10' }, title: 'policy' };
}

const facetRow = (policies: string[]) => ({
  row: { field: 'policy', type: 'nominal', sort: policies, title: null, header: { labelAngle: 0, labelAlign: 'left', labelFontSize: 12 } },
});

/** Small multiples, one row per policy: overlaid histograms or step lines would hide each other. */
function perPolicy(policies: string[], inner: object, height: number): TopLevelSpec {
  return { config: CONFIG, facet: facetRow(policies), spec: { width: WIDTH, height, ...inner } } as unknown as TopLevelSpec;
}

/** Fault windows behind a time series: a shaded band from `fromS` to `toS` (rows of series 'fault'). */
const SHADE = {
  name: 'fault_window',
  transform: [{ filter: "datum.series === 'fault'" }],
  mark: { type: 'rect', color: '#f4b400', opacity: 0.18 },
  encoding: { x: { field: 'fromS', type: 'quantitative' }, x2: { field: 'toS' } },
};
const notFault = { filter: "datum.series !== 'fault'" };

/** "Shaded: outage relay, 10m–10m30s; …", or nothing without fault windows. */
function shaded(report: Report): string {
  const w = report.scenario.faultWindows;
  return w.length ? ` Shaded: the fault windows (${w.map((f) => f.label).join('; ')}).` : '';
}

/** A per-policy histogram of bands [lo, hi) with the share of workflows in each, on an x axis spanning the data. */
function bands(rows: Row[], policies: string[], x: Record<string, unknown>, outcomes: string[]): TopLevelSpec {
  const domain = histogramDomain(rows);
  return {
    ...perPolicy(policies, {
      mark: { type: 'rect', stroke: 'white', strokeWidth: 0.3, opacity: 0.85 },
      encoding: {
        x: { field: 'lo', type: 'quantitative', ...x, scale: { ...(x.scale as object), domain, nice: false } },
        x2: { field: 'hi' },
        y: { field: 'share', type: 'quantitative', axis: { format: '%' }, title: 'of workflows' },
        color: { field: 'outcome', type: 'nominal', scale: { domain: outcomes, range: ['#4c78a8', '#e45756'] }, title: null },
      },
    }, 70),
    data: { values: rows },
  } as TopLevelSpec;
}

/** A faceted time series with the fault windows shaded behind `layers`. */
function timeSeries(rows: Row[], policies: string[], layers: object[], height: number): TopLevelSpec {
  return { config: CONFIG, data: { values: rows }, facet: facetRow(policies), spec: { width: WIDTH, height, layer: [SHADE, ...layers] } } as unknown as TopLevelSpec;
}

const TIME = { field: 'timeS', type: 'quantitative', title: 'time (s)' };
const STORM_SERIES = ['attempts sent', 'calls offered', 'workflows completed', 'workflows failed'];

export const CHARTS: ChartDef[] = [
  {
    id: 'latency-cdf',
    title: 'Latency CDF',
    caption: () =>
      'Share of all logical calls (left) and of all started workflows (right) finished within the time on the log axis; further left is faster. A curve tops out at the share that finished: failed ones never do.',
    rows: latencyCdfRows,
    spec: (rows, policies) => ({
      config: CONFIG,
      data: { values: rows },
      facet: { column: { field: 'metric', type: 'nominal', sort: ['call', 'workflow'], title: null } },
      resolve: { scale: { x: 'independent' } },
      spec: {
        width: WIDTH / 2 - 20,
        height: 260,
        mark: { type: 'line', interpolate: 'step-after', strokeWidth: 1.8 },
        encoding: {
          x: { field: 'ms', type: 'quantitative', scale: { type: 'log', nice: false }, title: 'latency (ms, log)' },
          y: { field: 'fraction', type: 'quantitative', scale: { domain: [0, 1] }, axis: { format: '%' }, title: 'share finished' },
          color: policyColor(policies),
        },
      },
    }) as unknown as TopLevelSpec,
  },
  {
    id: 'workflow-histogram',
    title: 'Workflow latency',
    caption: () =>
      'Share of started workflows per latency band (log axis spanning every recorded value), one row per policy: completed workflows, and the time to failure of failed ones. A second hump on the right is workflows that waited out timeouts.',
    rows: (r) => workflowHistogramRows(r),
    spec: (rows, policies) => bands(rows, policies, { scale: { type: 'log' }, title: 'workflow latency (ms, log)' }, ['completed', 'failed']),
  },
  {
    id: 'retry-storm',
    title: 'Retry storm and goodput',
    caption: (r) =>
      `Per window and per second, for each policy: on the left attempts sent (red) against logical calls offered (grey, dashed) — where attempts leave the offered line, retries multiply load; on the right, beside it, the goodput: workflows completed (blue) and failed (orange) — what that load bought.${shaded(r)}`,
    rows: stormRows,
    spec: (rows, policies) => ({
      config: CONFIG,
      data: { values: rows },
      facet: { ...facetRow(policies), column: { field: 'panel', type: 'nominal', sort: [...STORM_PANELS], title: null } },
      resolve: { scale: { y: 'independent' } },
      spec: {
        width: WIDTH / 2 - 10,
        height: 80,
        layer: [
          SHADE,
          {
            transform: [notFault],
            mark: { type: 'line', interpolate: 'step-after', strokeWidth: 1.5 },
            encoding: {
              x: TIME,
              y: { field: 'value', type: 'quantitative', title: 'per second' },
              color: { field: 'series', type: 'nominal', scale: { domain: STORM_SERIES, range: ['#d62728', '#7f7f7f', '#4c78a8', '#f58518'] }, title: null },
              strokeDash: { field: 'series', type: 'nominal', scale: { domain: STORM_SERIES, range: [[1, 0], [4, 3], [1, 0], [1, 0]] }, title: null },
            },
          },
        ],
      },
    }) as unknown as TopLevelSpec,
  },
  {
    id: 'cost-vs-completion',
    title: 'Spend against completion',
    caption: () =>
      'Each policy’s share of workflows completed against its spend per completed workflow (all spend ÷ completed), with 95% intervals from the replications; down and to the right is better.',
    rows: costCompletionRows,
    spec: (rows, policies) => ({
      config: CONFIG,
      data: { values: rows },
      width: WIDTH,
      height: 260,
      layer: [
        { mark: { type: 'rule', strokeWidth: 1.5 }, encoding: { x: { field: 'completedLo', type: 'quantitative' }, x2: { field: 'completedHi' }, y: { field: 'dollars', type: 'quantitative' }, color: policyColor(policies) } },
        { mark: { type: 'rule', strokeWidth: 1.5 }, encoding: { x: { field: 'completed', type: 'quantitative' }, y: { field: 'dollarsLo', type: 'quantitative' }, y2: { field: 'dollarsHi' }, color: policyColor(policies) } },
        {
          mark: { type: 'point', filled: true, size: 70 },
          encoding: {
            x: { field: 'completed', type: 'quantitative', axis: { format: '%' }, title: 'workflows completed', scale: { zero: false, padding: 30 } },
            y: { field: 'dollars', type: 'quantitative', axis: { format: '$.3f' }, title: 'spend per completed workflow (USD)', scale: { zero: false, padding: 20 } },
            color: policyColor(policies),
          },
        },
        { mark: { type: 'text', align: 'left', dx: 7, dy: -7, fontSize: 11 }, encoding: { x: { field: 'completed', type: 'quantitative' }, y: { field: 'dollars', type: 'quantitative' }, text: { field: 'policy' } } },
      ],
    }) as unknown as TopLevelSpec,
  },
  {
    id: 'successful-calls',
    title: 'Successful calls',
    caption: () => 'Successful calls per second of one run (replications averaged), one row per policy, with the fault windows shaded; a line that stays down after the shading ends is a retry storm that outlived its trigger.',
    rows: successfulCallsRows,
    spec: (rows, policies) => successfulCallsSpec(rows, policies, CONFIG, WIDTH) as TopLevelSpec,
  },
  {
    id: 'cost-distribution',
    title: 'Completed workflow cost',
    caption: () =>
      'Share of completed workflows per band of their own cost in dollars (survivors only: spend on failed workflows is not here, but is in spend per completed workflow); a long right tail is retries re-reading the context.',
    rows: (r) => costDistributionRows(r),
    spec: (rows, policies) => bands(rows, policies, { axis: { format: '$.3f' }, title: 'cost of one completed workflow (USD)' }, ['completed']),
  },
  {
    id: 'cost-per-step',
    title: 'Cost per step',
    caption: () => 'Mean dollars per started workflow spent at each step; the rise is the context growing, and a steeper rise is agent-layer retries; with the final turn on, the last point is the turn that writes the answer.',
    rows: costPerStepRows,
    spec: (rows, policies) => ({
      config: CONFIG,
      data: { values: rows },
      width: WIDTH,
      height: 220,
      mark: { type: 'line', point: { size: 18 }, strokeWidth: 1.6 },
      encoding: {
        x: { field: 'step', type: 'quantitative', title: 'step', axis: { tickMinStep: 1 } },
        y: { field: 'dollars', type: 'quantitative', axis: { format: '$.4f' }, title: 'USD per workflow' },
        color: policyColor(policies),
      },
    }) as unknown as TopLevelSpec,
  },
  {
    id: 'breaker-state',
    title: 'Circuit breaker state',
    caption: (r) => `The breaker of each policy that has one, over the first replication: closed passes calls, open rejects them, half-open lets probes through.${shaded(r)}`,
    rows: breakerRows,
    spec: (rows, _policies, report) =>
      timeSeries(
        rows,
        breakerPolicies(report),
        [
          {
            transform: [notFault],
            mark: { type: 'line', interpolate: 'step-after', strokeWidth: 1.8 },
            encoding: {
              x: TIME,
              // A fixed domain: every row shows all three states, whichever this policy reached.
              y: { field: 'state', type: 'ordinal', scale: { domain: ['open', 'half-open', 'closed'] }, title: null },
              order: { field: 'seq', type: 'quantitative' },
              color: { ...policyColor(report.policies.map((p) => p.name)), legend: null },
            },
          },
        ],
        60,
      ),
  },
];

/** Renders one spec to SVG. */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** Every chart that has data, rendered to SVG, in CHARTS order. */
export async function renderCharts(report: Report): Promise<RenderedChart[]> {
  const policies = report.policies.map((p) => p.name);
  const out: RenderedChart[] = [];
  for (const def of CHARTS) {
    const rows = def.rows(report);
    if (rows.length === 0) continue;
    out.push({ id: def.id, title: def.title, caption: def.caption(report), svg: await renderSvg(def.spec(rows, policies, report)) });
  }
  return out;
}
