/** Where the CLI meets report/: writing the requested formats and evaluating thresholds. */
import { TunnelsimError } from '../errors.js';
import { evaluateThresholds } from '../report/thresholds.js';
import type { Report, ThresholdResult } from '../report/types.js';
import { verdictOf } from '../report/verdict.js';
import { writeReports, type ReportFormat } from '../report/write.js';

export async function writeReportFiles(report: Report, out: string, base: string, formats: string[], otlp?: string): Promise<string[]> {
  try {
    return await writeReports(report, { out, basename: base, formats: formats as ReportFormat[], otlp });
  } catch (err) {
    if (err instanceof TunnelsimError) throw err;
    throw new TunnelsimError('RUNTIME', `cannot write the report: ${(err as Error).message}`, { file: out });
  }
}

/**
 * Evaluates the scenario's thresholds into the report, then its verdict (which they constrain);
 * returns the failed thresholds. Thresholds of policies the report does not hold (a `--policy`
 * subset) are skipped.
 */
export function applyThresholds(report: Report, spec: Record<string, string[]>): ThresholdResult[] {
  const present = new Set(report.policies.map((p) => p.name));
  const relevant = Object.fromEntries(Object.entries(spec).filter(([k]) => k === '*' || present.has(k)));
  report.thresholds = evaluateThresholds(report, relevant);
  report.verdict = verdictOf(report);
  return report.thresholds.filter((t) => !t.ok);
}
