/**
 * HdrHistogram interval logs, one file per policy with one tagged interval per metric, for the
 * HdrHistogram tool chain (HistogramLogReader, HistogramLogAnalyzer, hdr-plot). The report holds
 * whole-run histograms, so each interval spans the run: start 0, length = the simulated (or
 * measured) duration. Values keep the report's units — µs for latency, tokens, micro-dollars for
 * cost — and the interval max column is scaled to ms, tokens and dollars.
 */
import { HistogramLogWriter } from 'hdr-histogram-js';
import { policyHistogram } from './histogram.js';
import type { PolicyReport, Report } from './types.js';

export interface HdrLog {
  policy: string;
  text: string;
}

/** Unit ratio for the Interval_Max column, by histogram key. */
function maxRatio(key: string): number {
  if (key.startsWith('completedWorkflowTokens')) return 1;
  if (key.startsWith('completedWorkflowCostMicros')) return 1e6;
  return 1000;
}

/** Log tags may not hold commas or spaces (the reader splits on them). */
function tagOf(key: string): string {
  return key.replace(/[,\s]/g, '_');
}

export function hdrLog(report: Report, policy: PolicyReport): string {
  let text = '';
  const writer = new HistogramLogWriter((s) => {
    text += s;
  });
  writer.outputComment(`[tunnelsim ${report.mode} run: scenario ${report.scenario.name}, seed ${report.seed}, policy ${policy.name}]`);
  writer.outputComment('[values: latency in microseconds, tokens, cost in micro-dollars; one interval per metric over the whole run]');
  writer.outputLogFormatVersion();
  // Written by hand: the writer's outputStartTime prints a local-time date, which differs by time zone.
  writer.outputComment('[StartTime: 0.000 (seconds since epoch), 1970-01-01T00:00:00.000Z]');
  writer.outputComment('[BaseTime: 0.000 (seconds since epoch)]');
  writer.outputLegend();
  const lengthSec = Math.max(policy.simulatedMs, 0) / 1000;
  for (const key of Object.keys(policy.histograms)) {
    const h = policyHistogram(policy, key);
    if (!h) continue;
    h.tag = tagOf(key);
    writer.outputIntervalHistogram(h, 0, lengthSec, maxRatio(key));
  }
  return text;
}

/** One log per policy, in report order. */
export function hdrLogs(report: Report): HdrLog[] {
  return report.policies.map((p) => ({ policy: p.name, text: hdrLog(report, p) }));
}
