/**
 * Views of a capacity report: the terminal table of the load curve, and a self-contained HTML page
 * with the capacity curve — each SLO expression's measured value with its limit drawn, and pool
 * utilisation in per cent, against the varied key, the answer and the knee marked and labelled —
 * rendered with the same Vega-Lite pipeline as the run report.
 */
import type { TopLevelSpec } from 'vega-lite';
import type { CapacityPoint, CapacityReport } from './capacity-report.js';
import { parseThreshold } from './threshold-grammar.js';
import { formatTarget, type Unit } from './resolve.js';

const pct = (v: number | null) => (v === null ? '—' : `${(v * 100).toFixed(1)}%`);
const ms = (v: number | null) => (v === null ? '—' : v >= 1000 ? `${(v / 1000).toFixed(2)}s` : `${v.toFixed(1)}ms`);
/** A workflow percentile over all started workflows: "—, 12.0% failed" when censored. */
const wf = (v: number | null, p: CapacityPoint) => (v !== null ? ms(v) : p.successRate !== null ? `—, ${pct(1 - p.successRate)} failed` : '—');

const COLUMNS: [string, (p: CapacityPoint) => string][] = [
  ['meets SLO', (p) => (p.ok ? 'yes' : 'no')],
  ['workflow p95, all started', (p) => wf(p.workflowP95, p)],
  ['workflow p95, completed only', (p) => ms(p.workflowCompletedP95)],
  ['completed', (p) => pct(p.successRate)],
  ['throughput/s', (p) => p.throughput.toFixed(2)],
  ['server busy', (p) => pct(p.serverUtilisation)],
  ['relay slots', (p) => pct(p.relayUtilisation)],
  ['server queue', (p) => ms(p.serverQueueMeanMs)],
  ['relay queue', (p) => ms(p.relayQueueMeanMs)],
  ['tries per call', (p) => (p.amplification === null ? '—' : `${p.amplification.toFixed(2)}×`)],
];

export function capacitySummary(r: CapacityReport): string {
  const answer =
    r.capacity === null
      ? `no ${r.vary} in the searched range meets the SLO (last failing value ${r.bracket[1]})`
      : `${r.find} ${r.vary} meeting the SLO: ${r.capacity} (next value tried, failing: ${r.bracket[1] ?? 'none found'})`;
  const knee = r.knee ? `knee of the workflow p95 curve at ${r.vary} = ${r.knee.value} (p95 ${ms(r.knee.workflowP95)})` : 'no knee found on the curve';
  return [`${r.scenario.name}, policy ${r.policy}; SLO: ${r.slo.join(' and ')}`, answer, knee].join('\n');
}

export function capacityTable(r: CapacityReport): string {
  const header = [r.vary, ...COLUMNS.map((c) => c[0])];
  const rows = r.curve.map((p) => [String(p.value) + (p.value === r.capacity ? ' ←' : ''), ...COLUMNS.map((c) => c[1](p))]);
  const all = [header, ...rows];
  const widths = header.map((_, i) => Math.max(...all.map((row) => row[i].length)));
  return all.map((row) => row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  ')).join('\n');
}

/** How one SLO expression's values are plotted: seconds for latency, per cent for shares. */
function panelScale(unit: Unit): { factor: number; suffix: string } {
  if (unit === 'ms') return { factor: 1 / 1000, suffix: ' (s)' };
  if (unit === 'share') return { factor: 100, suffix: ' (%)' };
  if (unit === 'usd') return { factor: 1, suffix: ' (USD)' };
  return { factor: 1, suffix: '' };
}

function curveSpec(r: CapacityReport): TopLevelSpec {
  const UTIL = 'pool utilisation (%)';
  // One panel per SLO expression, with its limit, then utilisation.
  const slos = (r.curve[0]?.slo ?? []).map((s, i) => {
    const parsed = parseThreshold(s.expression);
    const { factor, suffix } = panelScale(s.unit);
    const limit = parsed.limit.kind === 'absolute' ? parsed.limit.value * factor : null;
    return { i, panel: `${formatTarget(parsed.target)}${suffix}`, factor, limit, text: `SLO ${parsed.op} ${parsed.limitText}` };
  });
  const panels = [...slos.map((s) => s.panel), UTIL];
  const rows = r.curve.flatMap((p) => [
    ...slos.flatMap((s) => (p.slo[s.i]?.value === null || p.slo[s.i] === undefined ? [] : [{ x: p.value, panel: s.panel, y: p.slo[s.i].value! * s.factor, series: 'measured' }])),
    { x: p.value, panel: UTIL, y: p.serverUtilisation * 100, series: 'server workers' },
    { x: p.value, panel: UTIL, y: p.relayUtilisation * 100, series: 'relay slots' },
  ]);
  const limits = slos.filter((s) => s.limit !== null).map((s) => ({ panel: s.panel, y: s.limit, text: s.text }));
  // The answer's label to the right of its line, the knee's to the left: close lines stay readable.
  const marks = [
    ...(r.capacity !== null ? [{ x: r.capacity, text: `${r.find === 'largest' ? 'capacity' : 'smallest meeting the SLO'} ${r.capacity}`, side: 'right' }] : []),
    ...(r.knee ? [{ x: r.knee.value, text: `knee ${r.knee.value}`, side: 'left' }] : []),
  ];
  const panelRows = panels.flatMap((panel) => marks.map((m) => ({ ...m, panel })));
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    data: { values: [...rows, ...limits.map((l) => ({ ...l, series: 'limit' })), ...panelRows.map((m) => ({ ...m, series: 'mark' }))] },
    facet: { row: { field: 'panel', type: 'nominal', title: null, sort: panels, header: { labelFontSize: 12 } } },
    resolve: { scale: { y: 'independent' } },
    spec: {
      width: 520,
      height: 160,
      layer: [
        {
          transform: [{ filter: "datum.series !== 'limit' && datum.series !== 'mark'" }],
          mark: { type: 'line', point: true },
          encoding: {
            x: { field: 'x', type: 'quantitative', title: r.vary },
            y: { field: 'y', type: 'quantitative', title: null },
            color: { field: 'series', type: 'nominal', title: null },
          },
        },
        {
          transform: [{ filter: "datum.series === 'limit'" }],
          mark: { type: 'rule', color: '#b3261e', strokeWidth: 1.5 },
          encoding: { y: { field: 'y', type: 'quantitative' } },
        },
        {
          transform: [{ filter: "datum.series === 'limit'" }],
          mark: { type: 'text', color: '#b3261e', align: 'right', dy: -6, x: 'width' },
          encoding: { y: { field: 'y', type: 'quantitative' }, text: { field: 'text' } },
        },
        {
          transform: [{ filter: "datum.series === 'mark'" }],
          mark: { type: 'rule', strokeDash: [4, 3], color: '#555' },
          encoding: { x: { field: 'x', type: 'quantitative' } },
        },
        {
          transform: [{ filter: "datum.series === 'mark' && datum.side === 'right'" }],
          mark: { type: 'text', color: '#333', align: 'left', dx: 3, y: 8, fontSize: 10 },
          encoding: { x: { field: 'x', type: 'quantitative' }, text: { field: 'text' } },
        },
        {
          transform: [{ filter: "datum.series === 'mark' && datum.side === 'left'" }],
          mark: { type: 'text', color: '#333', align: 'right', dx: -3, y: 8, fontSize: 10 },
          encoding: { x: { field: 'x', type: 'quantitative' }, text: { field: 'text' } },
        },
      ],
    },
  } as unknown as TopLevelSpec;
}

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** The page's title: what was searched, on which scenario and policy. */
export function capacityTitle(r: CapacityReport): string {
  return `tunnelsim capacity: the ${r.find} ${r.vary} meeting the SLO — scenario ${r.scenario.name}, policy ${r.policy}`;
}

export async function capacityHtml(r: CapacityReport): Promise<string> {
  const svg = r.curve.length ? await (await import('./charts.js')).renderSvg(curveSpec(r)) : '';
  return [
    '<!DOCTYPE html>',
    `<html lang="en"><head><meta charset="utf-8"><title>${esc(capacityTitle(r))}</title>`,
    '<style>body{font-family:system-ui,sans-serif;max-width:1000px;margin:2em auto;color:#222}pre{background:#f6f6f6;padding:1em;overflow:auto}</style></head><body>',
    `<h1>${esc(capacityTitle(r))}</h1>`,
    `<pre>${esc(capacitySummary(r))}</pre>`,
    '<h2>Capacity curve</h2>',
    `<p>Each SLO expression's measured value against ${esc(r.vary)}, its limit drawn in red, and the share of server workers and relay slots busy (%). Dashed lines: the ${r.find === 'largest' ? 'capacity found' : 'smallest value meeting the SLO'} and the knee of the workflow p95 curve, each labelled.</p>`,
    `<figure id="capacity-curve">${svg}</figure>`,
    '<h2>Load curve</h2>',
    `<pre>${esc(capacityTable(r))}</pre>`,
    '</body></html>',
    '',
  ].join('\n');
}
