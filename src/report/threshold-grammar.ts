/**
 * The threshold grammar, after k6: `target op limit`.
 *
 *   target := name [ '{' tag ':' value (',' tag ':' value)* '}' ] ( '.' segment )*
 *   op     := '<' | '<=' | '>' | '>=' | '==' | '!='
 *   limit  := number [ unit ]          unit: us, ms, s, m, h (→ ms) or % (→ fraction)
 *           | ('+' | '-') number '%'   relative to a baseline (compare only)
 *
 * A target is either a distribution followed by one aggregate (`avg`, `min`, `max`, `med`,
 * `count`, `p(N)`), or a numeric field path of the report (`calls.amplification`,
 * `storm.peakRatio`, `workflows.failed.rate`). Distributions name their population
 * (docs/reports.md): `workflow` and `call` are every started workflow / every logical call, a
 * failed one at +∞; `workflow.completed` / `call.completed` the survivors; `workflow.failed` /
 * `call.failed` the time to failure; `attempt` every attempt waited for; the parts; and
 * `completedWorkflowTokens` / `completedWorkflowCost`, the distributions of completed workflows.
 * Tags: `tool` (on call and attempt; `*` for every tool; `call{tool:x}.completed.p(99)`) and
 * `policy` (limits a compare check to one policy).
 */
import { TunnelsimError } from '../errors.js';
import { CENSORED_METRICS, LATENCY_METRICS } from './types.js';

export type Op = '<' | '<=' | '>' | '>=' | '==' | '!=';
export type Aggregate = { kind: 'avg' | 'min' | 'max' | 'count' } | { kind: 'p'; percentile: number };

/** A distribution metric: HdrHistograms per policy (per tool for call and attempt). */
export const DIST_METRICS: readonly string[] = [...CENSORED_METRICS, ...LATENCY_METRICS, 'completedWorkflowTokens', 'completedWorkflowCost'];

/** Names v1 reports used, with what to write now: a renamed metric is an error that says where it went. */
const RENAMED: Record<string, string> = {
  costPerCompletedWorkflow:
    "renamed: 'completedWorkflowCost' is the cost distribution of completed workflows; spend per completed workflow (all spend ÷ completed) is 'cost.perCompletedWorkflow'",
  tokensPerCompletedWorkflow:
    "renamed: 'completedWorkflowTokens' is the token distribution of completed workflows; tokens per completed workflow (all tokens ÷ completed) is 'tokens.perCompletedWorkflow'",
};

/** Roots a field path may start from: PolicyReport's numeric groups and the bench file's maps. */
export const FIELD_ROOTS: readonly string[] = [
  'workflows', 'calls', 'tokens', 'cost', 'storm', 'breaker', 'latency', 'tools',
  'completedWorkflowTokens', 'completedWorkflowCost', 'worlds', 'simulatedMs', 'utilisation', 'intervals',
  'results', 'ratios',
];

export type Target =
  | { kind: 'dist'; metric: string; tool?: string; aggregate: Aggregate }
  | { kind: 'field'; path: string[]; tool?: string };

export type Limit = { kind: 'absolute'; value: number } | { kind: 'relative'; percent: number };

export interface ParsedThreshold {
  expression: string;
  target: Target;
  /** Restricts the check to one policy (compare); evaluateThresholds takes policies from its spec keys. */
  policy?: string;
  op: Op;
  limit: Limit;
  /** The limit as written, for messages. */
  limitText: string;
}

const UNIT_MS: Record<string, number> = { us: 0.001, µs: 0.001, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const LIMIT_RE = /^([+-])?(\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)\s*(us|µs|ms|s|m|h|%)?$/;
const OPS: Op[] = ['<=', '>=', '==', '!=', '<', '>'];

function bad(message: string, field: string): TunnelsimError {
  return new TunnelsimError('BAD_INPUT', message, { field });
}

/** Parses one threshold expression; `field` names where it came from for error messages. */
export function parseThreshold(expr: string, field = 'threshold'): ParsedThreshold {
  const expression = expr.trim();
  const [opAt, op] = findOp(expression);
  if (opAt < 0) throw bad(`'${expression}': expected a comparison (<, <=, >, >=, ==, !=)`, field);
  const left = expression.slice(0, opAt).trim();
  const limitText = expression.slice(opAt + op.length).trim();
  const limit = parseLimit(limitText, expression, field);
  const { target, policy } = parseTarget(left, expression, field);
  return { expression, target, policy, op, limit, limitText };
}

function findOp(s: string): [number, Op] {
  let depth = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === '{' || c === '(') depth++;
    else if (c === '}' || c === ')') depth--;
    else if (depth === 0) {
      for (const op of OPS) if (s.startsWith(op, i)) return [i, op];
    }
  }
  return [-1, '<'];
}

function parseLimit(text: string, expression: string, field: string): Limit {
  const m = LIMIT_RE.exec(text);
  if (!m) throw bad(`'${expression}': limit '${text}' is not a number with an optional unit (ms, s, m, h, %)`, field);
  const [, sign, digits, unit] = m;
  const n = Number(digits);
  if (unit === '%' && sign) return { kind: 'relative', percent: sign === '-' ? -n : n };
  if (sign === '+') throw bad(`'${expression}': a signed limit must be a relative percentage like +10%`, field);
  const value = sign === '-' ? -n : n;
  if (unit === '%') return { kind: 'absolute', value: value / 100 };
  return { kind: 'absolute', value: unit ? value * UNIT_MS[unit] : value };
}

function parseTarget(left: string, expression: string, field: string): { target: Target; policy?: string } {
  const m = /^([A-Za-z_][\w]*)(\{[^}]*\})?(.*)$/.exec(left);
  if (!m) throw bad(`'${expression}': expected a metric name before the comparison`, field);
  const [, name, tagText, rest] = m;
  const tags = tagText ? parseTags(tagText, expression, field) : {};
  if (rest !== '' && !rest.startsWith('.')) throw bad(`'${expression}': unexpected '${rest}' after '${name}'`, field);
  const segments = rest === '' ? [] : splitSegments(rest.slice(1));
  if (segments.some((s) => s === '')) throw bad(`'${expression}': empty path segment in '${left}'`, field);
  const { tool, policy } = tags;
  const toolTaggable = name === 'call' || name === 'calls' || name === 'attempt';
  if (tool !== undefined && !toolTaggable) {
    throw bad(`'${expression}': the tool tag applies to call and attempt, not '${name}'`, field);
  }
  if (RENAMED[name]) throw bad(`'${expression}': '${name}' was ${RENAMED[name]}`, field);
  // A population after the name: `workflow.completed.p(95)`, `call{tool:x}.failed.med`.
  if (segments.length === 2 && DIST_METRICS.includes(`${name}.${segments[0]}`)) {
    const aggregate = parseAggregate(segments[1]);
    if (!aggregate) throw bad(`'${expression}': '${name}.${segments[0]}' needs one aggregate: avg, min, max, med, count or p(N) with 0 ≤ N ≤ 100`, field);
    return { target: { kind: 'dist', metric: `${name}.${segments[0]}`, tool, aggregate }, policy };
  }
  if (DIST_METRICS.includes(name)) {
    const aggregate = segments.length === 1 ? parseAggregate(segments[0]) : undefined;
    if (aggregate) return { target: { kind: 'dist', metric: name, tool, aggregate }, policy };
    if (!(toolTaggable && tool !== undefined && segments.length > 0)) {
      throw bad(`'${expression}': '${name}' needs one aggregate: avg, min, max, med, count or p(N) with 0 ≤ N ≤ 100`, field);
    }
  }
  if (toolTaggable && tool !== undefined) return { target: { kind: 'field', path: segments, tool }, policy };
  if (!FIELD_ROOTS.includes(name)) {
    throw bad(`'${expression}': unknown metric '${name}' (metrics: ${DIST_METRICS.join(', ')}; fields under ${FIELD_ROOTS.join(', ')})`, field);
  }
  return { target: { kind: 'field', path: [name, ...segments] }, policy };
}

function parseTags(text: string, expression: string, field: string): { tool?: string; policy?: string } {
  const out: { tool?: string; policy?: string } = {};
  for (const pair of text.slice(1, -1).split(',')) {
    const at = pair.indexOf(':');
    const key = pair.slice(0, at).trim();
    const value = pair.slice(at + 1).trim();
    if (at < 0 || value === '') throw bad(`'${expression}': tag '${pair.trim()}' must be key:value`, field);
    if (key !== 'tool' && key !== 'policy') throw bad(`'${expression}': unknown tag '${key}' (tags: tool, policy)`, field);
    out[key] = value;
  }
  return out;
}

/** Splits on dots outside parentheses, so `p(99.9)` stays one segment. */
function splitSegments(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '(') depth++;
    else if (s[i] === ')') depth--;
    else if (s[i] === '.' && depth === 0) {
      out.push(s.slice(start, i));
      start = i + 1;
    }
  }
  out.push(s.slice(start));
  return out;
}

function parseAggregate(seg: string): Aggregate | undefined {
  if (seg === 'avg' || seg === 'mean') return { kind: 'avg' };
  if (seg === 'min' || seg === 'max' || seg === 'count') return { kind: seg };
  if (seg === 'med') return { kind: 'p', percentile: 50 };
  const m = /^p\((\d+(?:\.\d+)?)\)$/.exec(seg);
  if (!m) return undefined;
  const percentile = Number(m[1]);
  return percentile <= 100 ? { kind: 'p', percentile } : undefined;
}

/** Whether `value op limit` holds. */
export function holds(value: number, op: Op, limit: number): boolean {
  switch (op) {
    case '<': return value < limit;
    case '<=': return value <= limit;
    case '>': return value > limit;
    case '>=': return value >= limit;
    case '==': return value === limit;
    case '!=': return value !== limit;
  }
}
