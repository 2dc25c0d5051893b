/**
 * `compare`: checks a current report (or bench file) against a baseline. A check is a threshold
 * expression; an absolute limit (`workflow.p(95) < 30s`) is tested on the current file, a relative
 * one (`workflow.p(99) <= +10%`) on the change from baseline to current. Report checks run per
 * policy (every policy of the baseline, or the one a `{policy:NAME}` tag names); bench checks run
 * once on the file, by result and ratio name.
 *
 * Censored figures (a workflow or call percentile past the completed share, docs/reports.md) have
 * no value: a check on one fails when only the current file is censored — it got worse —, passes
 * when only the baseline is, and passes, saying so, when both are (the success-rate check gates
 * those failures). A bench figure the current file skipped (an anchor not installed) is
 * reported as skipped, and fails only when a `--threshold` names it.
 */
import { TunnelsimError } from '../errors.js';
import { BENCH_SCHEMA, type BenchFile } from './bench-file.js';
import { holds, parseThreshold, type ParsedThreshold, type Target } from './threshold-grammar.js';
import { expandTarget, formatTarget, formatValue, measureObject, measurePolicy, type Measured, type Unit } from './resolve.js';
import { REPORT_SCHEMA, RETIRED_REPORT_SCHEMAS, type Report } from './types.js';

export type Comparable = { kind: 'report'; report: Report } | { kind: 'bench'; bench: BenchFile };

/**
 * The regression gate when no `--threshold` is given, per policy: workflow p95 and p99 (all
 * started), the completed workflows' p95, per-tool call p99 (all calls), tries per call and spend
 * per completed workflow may grow by 10 %; the success rate may drop by 1 % of itself.
 */
export const DEFAULT_REPORT_CHECKS: readonly string[] = [
  'workflow.p(95) <= +10%',
  'workflow.p(99) <= +10%',
  'workflow.completed.p(95) <= +10%',
  'call{tool:*}.p(99) <= +10%',
  'workflows.successRate >= -1%',
  'calls.amplification <= +10%',
  'cost.perCompletedWorkflow <= +10%',
];

/**
 * The bench gate: every ratio (higher is better) may fall by half. Ratios of short loopback runs
 * swing widely between runs, so the gate catches collapses, not drifts; medians are machine-bound
 * and not gated.
 */
export const DEFAULT_BENCH_CHECKS: readonly string[] = ['ratios.* >= -50%'];

export interface CompareCheck {
  /** Policy name, or `bench`. */
  scope: string;
  /** The concrete check, wildcards expanded. */
  expression: string;
  baseline: number | null;
  current: number | null;
  /** (current − baseline) ÷ |baseline|; null when either is missing. */
  change: number | null;
  unit: Unit;
  ok: boolean;
  /** Not measured in the current file (a bench anchor that was not installed): why. */
  skipped?: string;
  message: string;
}

export interface CompareResult {
  kind: Comparable['kind'];
  checks: CompareCheck[];
  failed: number;
  ok: boolean;
}

/** Recognises a parsed JSON file as a report or a bench file; anything else is INVALID_REPORT. */
export function toComparable(json: unknown, file: string): Comparable {
  const schema = (json as { schema?: unknown } | null)?.schema;
  const retired = typeof schema === 'string' ? RETIRED_REPORT_SCHEMAS[schema] : undefined;
  if (retired) {
    throw new TunnelsimError('INVALID_REPORT', `is a ${schema} report, which this version (${REPORT_SCHEMA}) does not compare: ${retired}. Regenerate it with this version (tunnelsim run) and compare again`, { file, field: 'schema' });
  }
  if (schema === REPORT_SCHEMA) {
    if (!Array.isArray((json as Report).policies)) throw new TunnelsimError('INVALID_REPORT', 'must be an array', { file, field: 'policies' });
    return { kind: 'report', report: json as Report };
  }
  if (schema === BENCH_SCHEMA) return { kind: 'bench', bench: json as BenchFile };
  throw new TunnelsimError('INVALID_REPORT', `expected '${REPORT_SCHEMA}' or '${BENCH_SCHEMA}', got ${JSON.stringify(schema)}`, { file, field: 'schema' });
}

/** Runs `thresholds` (or the defaults for the file kind) against baseline and current. */
export function compare(baseline: Comparable, current: Comparable, thresholds: string[] = []): CompareResult {
  if (baseline.kind !== current.kind) {
    throw new TunnelsimError('BAD_INPUT', `cannot compare a ${baseline.kind} file with a ${current.kind} file`);
  }
  const given = thresholds.length > 0;
  const exprs = given ? thresholds : baseline.kind === 'report' ? DEFAULT_REPORT_CHECKS : DEFAULT_BENCH_CHECKS;
  const parsed = exprs.map((e, i) => parseThreshold(e, given ? `--threshold[${i}]` : `default check '${e}'`));
  const checks =
    baseline.kind === 'report'
      ? compareReports(baseline.report, (current as { report: Report }).report, parsed, given)
      : parsed.flatMap((p, i) => checkScope('bench', baseline.bench, (current as { bench: BenchFile }).bench, p, given ? `--threshold[${i}]` : undefined, measureObject));
  const failed = checks.filter((c) => !c.ok).length;
  return { kind: baseline.kind, checks, failed, ok: failed === 0 };
}

function compareReports(base: Report, cur: Report, parsed: ParsedThreshold[], given: boolean): CompareCheck[] {
  const checks: CompareCheck[] = [];
  parsed.forEach((p, i) => {
    const field = given ? `--threshold[${i}]` : undefined;
    if (p.policy !== undefined && !base.policies.some((b) => b.name === p.policy)) {
      throw new TunnelsimError('BAD_INPUT', `'${p.expression}': no policy '${p.policy}' in the baseline`, { field });
    }
  });
  for (const b of base.policies) {
    const c = cur.policies.find((x) => x.name === b.name);
    if (!c) {
      checks.push({ scope: b.name, expression: 'policy present', baseline: null, current: null, change: null, unit: 'plain', ok: false, message: `policy '${b.name}' is missing from the current report` });
      continue;
    }
    parsed.forEach((p, i) => {
      if (p.policy !== undefined && p.policy !== b.name) return;
      checks.push(...checkScope(b.name, b, c, p, given ? `--threshold[${i}]` : undefined, measurePolicy as (r: object, t: Target) => Measured));
    });
  }
  return checks;
}

function checkScope(
  scope: string,
  base: object,
  cur: object,
  p: ParsedThreshold,
  field: string | undefined,
  measure: (root: object, t: Target) => Measured,
): CompareCheck[] {
  const out: CompareCheck[] = [];
  const wildcard = p.target.tool === '*' || (p.target.kind === 'field' && p.target.path.includes('*'));
  for (const target of expandTarget(base, p.target)) {
    const text = formatTarget(target);
    // A wildcard that matched nothing in the baseline has nothing to compare.
    if (text.includes('*')) continue;
    const b = measure(base, target);
    const c = measure(cur, target);
    const expression = `${text} ${p.op} ${p.limitText}`;
    const why = c.absent === 'path' ? skippedWhy(cur, target) : undefined;
    if (why !== undefined) {
      // Named by a --threshold: the user asked for it, so its absence fails the gate.
      const asked = field !== undefined && !wildcard;
      out.push({ scope, expression, baseline: b.value, current: null, change: null, unit: b.unit, ok: !asked, skipped: why, message: `${expression}: skipped: ${why}` });
      continue;
    }
    if (b.absent === 'path' && c.absent === 'path') {
      if (field === undefined) continue;
      throw new TunnelsimError('BAD_INPUT', `'${p.expression}': ${b.problem}`, { field });
    }
    out.push(evaluate(scope, expression, p, b, c));
  }
  return out;
}

/** Why a bench file did not measure this target (its `skipped` map), or undefined. */
function skippedWhy(cur: object, target: Target): string | undefined {
  const skipped = (cur as { skipped?: Record<string, string> }).skipped;
  if (!skipped || target.kind !== 'field') return undefined;
  return skipped[target.path[1]];
}

function evaluate(scope: string, expression: string, p: ParsedThreshold, b: Measured, c: Measured): CompareCheck {
  const unit = b.unit;
  const change = b.value !== null && c.value !== null ? relativeChange(b.value, c.value) : null;
  const show = (m: Measured) => (m.absent === 'censored' ? (m.problem ?? '—').replace(/ \(.*$/, '') : formatValue(m.value, unit));
  const shown = `${show(b)} → ${show(c)}${change === null ? '' : ` (${formatChange(change)})`}`;
  const base = { scope, expression, baseline: b.value, current: c.value, change, unit };
  if (p.limit.kind === 'absolute') {
    const ok = c.value !== null && holds(c.value, p.op, p.limit.value);
    const why = c.value === null ? `: ${c.problem ?? 'no value'} in current` : '';
    return { ...base, ok, message: `${expression}: ${shown}, limit ${p.op} ${formatValue(p.limit.value, unit)}${why}` };
  }
  if (b.absent === 'censored' || c.absent === 'censored') {
    if (c.absent !== 'censored') return { ...base, ok: true, message: `${expression}: ${shown}: finishes now, censored in the baseline` };
    if (b.absent !== 'censored') return { ...base, ok: false, message: `${expression}: ${shown}: censored in current (too many failed to reach this percentile)` };
    return { ...base, ok: true, message: `${expression}: ${shown}: censored in both files, so no latency change to measure (workflows.successRate gates the failures)` };
  }
  if (b.value === null && c.value === null) return { ...base, ok: true, message: `${expression}: no data in either file` };
  if (change === null) {
    return { ...base, ok: false, message: `${expression}: ${shown}, ${b.value === null ? 'no baseline value' : 'no current value'}` };
  }
  const ok = holds(change * 100, p.op, p.limit.percent);
  return { ...base, ok, message: `${expression}: ${shown}, limit ${p.op} ${p.limitText}` };
}

function relativeChange(base: number, cur: number): number {
  if (base === 0) return cur === 0 ? 0 : cur > 0 ? Infinity : -Infinity;
  return (cur - base) / Math.abs(base);
}

/** A change as a signed percentage, `+20.1%`. */
export function formatChange(change: number): string {
  if (!Number.isFinite(change)) return change > 0 ? '+∞%' : '−∞%';
  const pct = Number((change * 100).toFixed(1));
  return `${pct >= 0 ? '+' : ''}${pct}%`;
}

