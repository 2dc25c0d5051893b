/**
 * Merging shard reports: gather every world record, check the shards belong to one run (same
 * scenario, seed, version, no world twice), and rebuild the report as the unsharded run would.
 */
import { readFileSync } from 'node:fs';
import { TunnelsimError } from '../errors.js';
import { REPORT_SCHEMA, RETIRED_REPORT_SCHEMAS, type Report, type WorldRecord } from '../report/types.js';
import { buildReport } from './sim.js';

export function readReport(file: string): Report {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new TunnelsimError('UNREADABLE_FILE', 'cannot read', { file });
  }
  let data: Report;
  try {
    data = JSON.parse(text);
  } catch {
    throw new TunnelsimError('INVALID_REPORT', 'not JSON', { file });
  }
  const retired = RETIRED_REPORT_SCHEMAS[data?.schema];
  if (retired) throw new TunnelsimError('INVALID_REPORT', `is a ${data.schema} report, which this version no longer reads: ${retired}; rerun it with this version`, { file, field: 'schema' });
  if (data?.schema !== REPORT_SCHEMA) throw new TunnelsimError('INVALID_REPORT', `not a ${REPORT_SCHEMA} report`, { file, field: 'schema' });
  if (!Array.isArray(data.worlds)) throw new TunnelsimError('INVALID_REPORT', 'has no world records to merge', { file, field: 'worlds' });
  return data;
}

export function mergeReports(reports: readonly { file: string; report: Report }[]): Report {
  if (reports.length === 0) throw new TunnelsimError('BAD_INPUT', 'name at least one report to merge');
  const first = reports[0].report;
  const seen = new Map<string, string>();
  const worlds: WorldRecord[] = [];
  for (const { file, report } of reports) {
    const same = (field: string, a: unknown, b: unknown) => {
      if (JSON.stringify(a) !== JSON.stringify(b)) throw new TunnelsimError('INVALID_REPORT', `differs from ${reports[0].file}: not a shard of the same run`, { file, field });
    };
    same('scenario', report.scenario, first.scenario);
    same('seed', report.seed, first.seed);
    same('tool.version', report.tool.version, first.tool.version);
    same('mode', report.mode, first.mode);
    for (const w of report.worlds) {
      const prev = seen.get(w.id);
      if (prev) throw new TunnelsimError('INVALID_REPORT', `world ${w.id} is also in ${prev}`, { file, field: 'worlds' });
      seen.set(w.id, file);
      worlds.push(w);
    }
  }
  return buildReport(first.scenario, first.seed, first.replications, worlds);
}
