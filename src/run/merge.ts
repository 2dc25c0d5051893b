/**
 * Merging shard reports: gather every world record, check the shards belong to one run (same
 * scenario, seed, version, replications, no world twice) and make up all of it — every shard
 * i/n of one n, each once — and rebuild the report as the unsharded run would. A partial set
 * is refused, naming the missing shards: a merged report of half the worlds would pass gates
 * on policies it never ran.
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

/** The shard `i/n` of a report, or undefined for a whole run. */
function shardOf(r: Report): { index: number; count: number } | undefined {
  const m = r.shard === undefined ? null : /^(\d+)\/(\d+)$/.exec(r.shard);
  return m ? { index: Number(m[1]), count: Number(m[2]) } : undefined;
}

/** Every report is a shard of one n, and together they are shards 1 … n, each once. */
function checkShardSet(reports: readonly { file: string; report: Report }[]): void {
  const shards = reports.map(({ file, report }) => ({ file, shard: shardOf(report) }));
  const whole = shards.find((s) => s.shard === undefined);
  if (whole && reports.length > 1) throw new TunnelsimError('BAD_INPUT', 'is a whole run, not a shard: merge the shards of one run (tunnelsim run --shard i/n)', { file: whole.file });
  if (whole) return;
  const n = shards[0].shard!.count;
  const other = shards.find((s) => s.shard!.count !== n);
  if (other) throw new TunnelsimError('BAD_INPUT', `is shard ${other.shard!.index}/${other.shard!.count}, but ${shards[0].file} is of ${n} shards: a mixed set`, { file: other.file });
  const seen = new Map<number, string>();
  for (const s of shards) {
    const prev = seen.get(s.shard!.index);
    if (prev) throw new TunnelsimError('BAD_INPUT', `is shard ${s.shard!.index}/${n} again (also ${prev})`, { file: s.file });
    seen.set(s.shard!.index, s.file);
  }
  const missing = Array.from({ length: n }, (_, i) => i + 1).filter((i) => !seen.has(i));
  if (missing.length > 0) {
    throw new TunnelsimError('BAD_INPUT', `an incomplete shard set: ${seen.size} of ${n} shards given, missing ${missing.map((i) => `${i}/${n}`).join(', ')}`);
  }
}

export function mergeReports(reports: readonly { file: string; report: Report }[]): Report {
  if (reports.length === 0) throw new TunnelsimError('BAD_INPUT', 'name at least one report to merge');
  checkShardSet(reports);
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
    same('replications', report.replications, first.replications);
    for (const w of report.worlds) {
      const prev = seen.get(w.id);
      if (prev) throw new TunnelsimError('INVALID_REPORT', `world ${w.id} is also in ${prev}`, { file, field: 'worlds' });
      seen.set(w.id, file);
      worlds.push(w);
    }
  }
  return buildReport(first.scenario, first.seed, first.replications, worlds);
}
