/**
 * Scenario thresholds, evaluated after a run: `{ policyName | '*': [expression, ...] }`. Each
 * expression is measured on the policy's report (percentiles from its HdrHistograms, so `p(97.5)`
 * is as exact as `p(95)`) and compared with its absolute limit. Grammar: threshold-grammar.ts.
 */
import { TunnelsimError } from '../errors.js';
import { holds, parseThreshold, type ParsedThreshold } from './threshold-grammar.js';
import { expandTarget, formatTarget, formatValue, measurePolicy } from './resolve.js';
import type { PolicyReport, Report, ThresholdResult } from './types.js';

export { parseThreshold, type ParsedThreshold } from './threshold-grammar.js';

/** Evaluates every threshold of `spec` on `report`; bad expressions and unknown policies throw BAD_INPUT. */
export function evaluateThresholds(report: Report, spec: Record<string, string[]>): ThresholdResult[] {
  const results: ThresholdResult[] = [];
  for (const [key, expressions] of Object.entries(spec)) {
    const policies = key === '*' ? report.policies : [findPolicy(report, key)];
    expressions.forEach((expr, i) => {
      const field = `thresholds.${key}[${i}]`;
      const parsed = parseThreshold(expr, field);
      if (parsed.limit.kind === 'relative') {
        throw new TunnelsimError('BAD_INPUT', `'${parsed.expression}': a relative limit (${parsed.limitText}) needs a baseline; use it with tunnelsim compare`, { field });
      }
      // A `{policy:NAME}` tag narrows a `*` entry to one policy.
      const tagged = parsed.policy === undefined ? policies : policies.filter((p) => p.name === parsed.policy);
      if (parsed.policy !== undefined && !report.policies.some((p) => p.name === parsed.policy)) {
        throw new TunnelsimError('BAD_INPUT', `'${parsed.expression}': unknown policy '${parsed.policy}'`, { field });
      }
      for (const policy of tagged) results.push(...evaluateOne(policy, parsed, field));
    });
  }
  return results;
}

/**
 * Thresholds given on the command line as an SLO (`capacity`, `tune`): the same evaluation, with
 * problems blamed on the `--slo` flag the user typed rather than on a scenario field they never wrote.
 */
export function sloResults(report: Report, spec: Record<string, string[]>): ThresholdResult[] {
  try {
    return evaluateThresholds(report, spec);
  } catch (err) {
    if (err instanceof TunnelsimError && err.field?.startsWith('thresholds.')) throw new TunnelsimError(err.code, err.message, { field: '--slo' });
    throw err;
  }
}

/** Whether every result passed. */
export function thresholdsPassed(results: ThresholdResult[]): boolean {
  return results.every((r) => r.ok);
}

function findPolicy(report: Report, name: string): PolicyReport {
  const policy = report.policies.find((p) => p.name === name);
  if (!policy) {
    const names = report.policies.map((p) => p.name).join(', ');
    throw new TunnelsimError('BAD_INPUT', `unknown policy '${name}' (policies: ${names})`, { field: `thresholds.${name}` });
  }
  return policy;
}

function evaluateOne(policy: PolicyReport, parsed: ParsedThreshold, field: string): ThresholdResult[] {
  const limit = (parsed.limit as { value: number }).value;
  return expandTarget(policy, parsed.target).map((target) => {
    const expression = `${formatTarget(target)} ${parsed.op} ${parsed.limitText}`;
    const m = measurePolicy(policy, target);
    if (m.absent === 'path') throw new TunnelsimError('BAD_INPUT', `'${parsed.expression}': ${m.problem}`, { field });
    // Nothing to measure (no data) or a percentile that never finished (censored) fails: a gate
    // must never pass on nothing, nor on workflows that did not finish.
    if (m.value === null) return { expression, policy: policy.name, value: null, ok: false, message: `${expression}: ${m.problem}` };
    const ok = holds(m.value, parsed.op, limit);
    const message = `${expression}: measured ${formatValue(m.value, m.unit)}, limit ${parsed.op} ${formatValue(limit, m.unit)}`;
    return { expression, policy: policy.name, value: m.value, ok, message };
  });
}
