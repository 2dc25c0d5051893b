/**
 * The report's charts: Vega-Lite specs rendered to SVG headlessly with vega (`renderer: 'none'`,
 * `View.toSVG()`), so the HTML needs no script and the Markdown links plain SVG files. Nothing in a
 * spec depends on time or on the host, so the same report renders to the same bytes.
 */
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import {
  breakerRows, costDistributionRows, costPerStepRows, latencyCdfRows, stormRows, workflowHistogramRows, type Row,
} from './chart-data.js';
import { goodputRows, goodputSpec } from './goodput-chart.js';
import type { Report } from './types.js';

export interface ChartDef {
  id: string;
  title: string;
  /** One sentence on how to read the chart (shown under it). */
  caption: string;
  rows(report: Report): Row[];
  spec(rows: Row[], policies: string[]): TopLevelSpec;
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
  legend: { labelFontSize: 11, titleFontSize: 12 },
};

/** One colour per policy, the same in every chart. */
function policyColor(policies: string[]) {
  return { field: 'policy', type: 'nominal' as const, scale: { domain: policies, scheme: 'tableau10' }, title: 'policy' };
}

/** Small multiples, one row per policy: overlaid histograms or step lines would hide each other. */
function perPolicy(policies: string[], inner: object, height: number): TopLevelSpec {
  return {
    config: CONFIG,
    facet: { row: { field: 'policy', type: 'nominal', sort: policies, title: null, header: { labelAngle: 0, labelAlign: 'left', labelFontSize: 12 } } },
    spec: { width: WIDTH, height, ...inner },
  } as unknown as TopLevelSpec;
}

/** A per-policy histogram of bands [lo, hi) with the share of workflows in each; `x` sets the axis. */
function bands(rows: object[], policies: string[], x: Record<string, unknown>): TopLevelSpec {
  return {
    ...perPolicy(policies, {
      mark: { type: 'rect', stroke: 'white', strokeWidth: 0.3 },
      encoding: {
        x: { field: 'lo', type: 'quantitative', ...x },
        x2: { field: 'hi' },
        y: { field: 'share', type: 'quantitative', axis: { format: '%' }, title: 'workflows' },
        color: { ...policyColor(policies), legend: null },
      },
    }, 70),
    data: { values: rows },
  } as TopLevelSpec;
}

export const CHARTS: ChartDef[] = [
  {
    id: 'latency-cdf',
    title: 'Latency CDF',
    caption: 'Share of calls (left) and workflows (right) finished within the time on the log axis; further left is faster, and the top of each curve is the tail.',
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
          x: { field: 'ms', type: 'quantitative', scale: { type: 'log' }, title: 'latency (ms, log)' },
          y: { field: 'fraction', type: 'quantitative', scale: { domain: [0, 1] }, axis: { format: '%' }, title: 'share finished' },
          color: policyColor(policies),
        },
      },
    }) as unknown as TopLevelSpec,
  },
  {
    id: 'workflow-histogram',
    title: 'Workflow latency',
    caption: 'Share of completed workflows per latency band (log axis), one row per policy; a second hump on the right is workflows that waited out timeouts.',
    rows: (r) => workflowHistogramRows(r),
    spec: (rows, policies) => bands(rows, policies, { scale: { type: 'log' }, title: 'workflow latency (ms, log)' }),
  },
  {
    id: 'retry-storm',
    title: 'Retry storm',
    caption: 'Attempts sent per window against logical calls offered; where the attempts line leaves the offered line, retries are multiplying load.',
    rows: stormRows,
    spec: (rows, policies) => ({
      ...perPolicy(policies, {
        mark: { type: 'line', interpolate: 'step-after', strokeWidth: 1.5 },
        encoding: {
          x: { field: 'timeS', type: 'quantitative', title: 'time (s)' },
          y: { field: 'value', type: 'quantitative', title: 'per window' },
          color: { field: 'series', type: 'nominal', scale: { domain: ['attempts sent', 'calls offered'], range: ['#d62728', '#7f7f7f'] }, title: null },
          strokeDash: { field: 'series', type: 'nominal', scale: { domain: ['attempts sent', 'calls offered'], range: [[1, 0], [4, 3]] }, title: null },
        },
      }, 80),
      data: { values: rows },
    }) as TopLevelSpec,
  },
  {
    id: 'goodput',
    title: 'Goodput',
    caption: 'Successful calls per second, one row per policy, with the fault windows shaded; a line that stays down after the shading ends is a retry storm that outlived its trigger.',
    rows: goodputRows,
    spec: (rows, policies) => goodputSpec(rows, policies, CONFIG, WIDTH) as TopLevelSpec,
  },
  {
    id: 'cost-distribution',
    title: 'Cost per completed workflow',
    caption: 'Share of completed workflows per cost band in dollars; a long right tail is retries re-reading the context.',
    rows: (r) => costDistributionRows(r),
    spec: (rows, policies) => bands(rows, policies, { axis: { format: '$.3f' }, title: 'cost per completed workflow (USD)' }),
  },
  {
    id: 'cost-per-step',
    title: 'Cost per step',
    caption: 'Mean dollars per started workflow spent at each step; the rise is the context growing, and a steeper rise is agent-layer retries; with the final turn on, the last point is the turn that writes the answer.',
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
    caption: 'Each policy’s breaker over the run: closed passes calls, open rejects them, half-open lets probes through.',
    rows: breakerRows,
    spec: (rows, policies) => ({
      ...perPolicy(policies, {
        mark: { type: 'line', interpolate: 'step-after', strokeWidth: 1.8 },
        encoding: {
          x: { field: 'timeS', type: 'quantitative', title: 'time (s)' },
          // A fixed domain: every row shows all three states, whichever this policy reached.
          y: { field: 'state', type: 'ordinal', scale: { domain: ['open', 'half-open', 'closed'] }, title: null },
          order: { field: 'seq', type: 'quantitative' },
          color: { ...policyColor(policies), legend: null },
        },
      }, 50),
      data: { values: rows },
    }) as TopLevelSpec,
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
    out.push({ id: def.id, title: def.title, caption: def.caption, svg: await renderSvg(def.spec(rows, policies)) });
  }
  return out;
}
