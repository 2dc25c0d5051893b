/**
 * The successful-calls chart: successful calls per second over the run, one row per policy, with the
 * scenario's fault windows shaded — where a metastable failure shows as a line that stays down
 * after the shading ends.
 */
import type { Row } from './chart-data.js';
import type { Report } from './types.js';

/** Successful calls per report window (calls/s per world, at the window's start), and one shaded band per fault window and policy. */
export function successfulCallsRows(report: Report): Row[] {
  const rows: Row[] = [];
  const windows = report.scenario.incidentWindows ?? [];
  for (const p of report.policies) {
    const g = p.timeline;
    if (!g) continue;
    const sec = (g.windowMs / 1000) * Math.max(1, g.worlds);
    g.okCalls.forEach((ok, i) => rows.push({ kind: 'calls', policy: p.name, timeS: (i * g.windowMs) / 1000, perSec: ok / sec }));
    for (const w of windows) rows.push({ kind: 'fault', policy: p.name, fromS: w.fromMs / 1000, toS: w.toMs / 1000, fault: `faults[${w.fault}] ${w.kind}` });
  }
  return rows.some((r) => r.kind === 'calls') ? rows : [];
}

/** Vega-Lite: per-policy rows, a shaded band under each fault window, the successful-calls line on top. */
export function successfulCallsSpec(rows: Row[], policies: string[], config: object, width: number): object {
  return {
    config,
    data: { values: rows },
    facet: { row: { field: 'policy', type: 'nominal', sort: policies, title: null, header: { labelAngle: 0, labelAlign: 'left', labelFontSize: 12 } } },
    spec: {
      width,
      height: 80,
      layer: [
        {
          transform: [{ filter: "datum.kind === 'fault'" }],
          mark: { type: 'rect', color: '#f4b6b0', opacity: 0.6 },
          encoding: { x: { field: 'fromS', type: 'quantitative', title: 'time (s)' }, x2: { field: 'toS' }, tooltip: { field: 'fault' } },
        },
        {
          transform: [{ filter: "datum.kind === 'calls'" }],
          mark: { type: 'line', interpolate: 'step-after', strokeWidth: 1.5, color: '#1f77b4' },
          encoding: {
            x: { field: 'timeS', type: 'quantitative', title: 'time (s)' },
            y: { field: 'perSec', type: 'quantitative', title: 'ok calls/s' },
          },
        },
      ],
    },
  };
}
