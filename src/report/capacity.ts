/**
 * Views of a capacity report: the terminal table of the load curve, and a self-contained HTML page
 * with the capacity curve (workflow p95 and pool utilisation against the varied key, the SLO's
 * answer and the knee marked), rendered with the same Vega-Lite pipeline as the run report.
 */
import type { TopLevelSpec } from 'vega-lite';
import type { CapacityPoint, CapacityReport } from './capacity-report.js';

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

function curveSpec(r: CapacityReport): TopLevelSpec {
  const rows = r.curve.flatMap((p) => [
    ...(p.workflowP95 === null ? [] : [{ x: p.value, panel: 'workflow p95 (s)', y: p.workflowP95 / 1000, series: 'workflow p95' }]),
    { x: p.value, panel: 'utilisation', y: p.serverUtilisation, series: 'server workers' },
    { x: p.value, panel: 'utilisation', y: p.relayUtilisation, series: 'relay slots' },
  ]);
  const marks = [
    ...(r.capacity !== null ? [{ x: r.capacity, label: 'capacity' }] : []),
    ...(r.knee ? [{ x: r.knee.value, label: 'knee' }] : []),
  ];
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    width: 560,
    height: 180,
    facet: { row: { field: 'panel', type: 'nominal', title: null, sort: ['workflow p95 (s)', 'utilisation'] } },
    resolve: { scale: { y: 'independent' } },
    data: { values: rows },
    spec: {
      layer: [
        {
          mark: { type: 'line', point: true },
          encoding: {
            x: { field: 'x', type: 'quantitative', title: r.vary },
            y: { field: 'y', type: 'quantitative', title: null },
            color: { field: 'series', type: 'nominal', title: null },
          },
        },
        ...(marks.length
          ? [
              {
                data: { values: marks },
                mark: { type: 'rule' as const, strokeDash: [4, 3], color: '#555' },
                encoding: { x: { field: 'x', type: 'quantitative' as const } },
              },
            ]
          : []),
      ],
    },
  } as unknown as TopLevelSpec;
}

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export async function capacityHtml(r: CapacityReport): Promise<string> {
  const svg = r.curve.length ? await (await import('./charts.js')).renderSvg(curveSpec(r)) : '';
  return [
    '<!DOCTYPE html>',
    '<html lang="en"><head><meta charset="utf-8"><title>tunnelsim capacity: ' + esc(r.scenario.name) + '</title>',
    '<style>body{font-family:system-ui,sans-serif;max-width:1000px;margin:2em auto;color:#222}pre{background:#f6f6f6;padding:1em;overflow:auto}</style></head><body>',
    `<h1>Capacity: ${esc(r.scenario.name)}</h1>`,
    `<pre>${esc(capacitySummary(r))}</pre>`,
    '<h2>Capacity curve</h2>',
    '<p>Workflow p95 and pool utilisation against the varied key; dashed lines mark the capacity found and the knee.</p>',
    `<figure id="capacity-curve">${svg}</figure>`,
    '<h2>Load curve</h2>',
    `<pre>${esc(capacityTable(r))}</pre>`,
    '</body></html>',
    '',
  ].join('\n');
}
