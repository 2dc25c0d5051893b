/**
 * Measuring a threshold target on a policy (or on a bench file): the aggregate of a distribution,
 * read from its HdrHistogram, or a numeric field found by path. Wildcards (`{tool:*}`, a `*` path
 * segment) expand against the data before measuring, so a check can cover every tool by name.
 */
import { didYouMean } from '../suggest.js';
import { histogramKey, policyHistogram } from './histogram.js';
import type { Aggregate, Target } from './threshold-grammar.js';
import type { PolicyReport, Summary } from './types.js';

/** How a measured value is displayed. */
export type Unit = 'ms' | 'usd' | 'share' | 'plain';

export interface Measured {
  value: number | null;
  unit: Unit;
  /** Why there is no value: a path that does not exist (a typo), or no samples. */
  problem?: string;
}

/** Expands `{tool:*}` and `*` path segments into concrete targets, in the data's key order. */
export function expandTarget(root: object, target: Target): Target[] {
  const tools = (root as PolicyReport).tools ?? {};
  const byTool = target.tool === '*' ? Object.keys(tools).map((tool) => ({ ...target, tool })) : [target];
  if (target.kind === 'dist') return byTool;
  return byTool.flatMap((t) => {
    const base = t.tool !== undefined ? (tools as Record<string, unknown>)[t.tool] : root;
    const path = (t as { path: string[] }).path;
    const rate = path[path.length - 1] === 'rate';
    const walked = expandPath(base, rate ? path.slice(0, -1) : path);
    if (walked.length === 0) return [t];
    return walked.map((keys) => ({ ...t, path: rate ? [...keys, 'rate'] : keys }) as Target);
  });
}

/** The target written back as text (after expansion: with concrete names). */
export function formatTarget(target: Target): string {
  const tag = target.tool !== undefined ? `{tool:${target.tool}}` : '';
  if (target.kind === 'dist') return `${target.metric}${tag}.${formatAggregate(target.aggregate)}`;
  return target.tool !== undefined ? `call${tag}.${target.path.join('.')}` : target.path.join('.');
}

function formatAggregate(a: Aggregate): string {
  return a.kind === 'p' ? `p(${a.percentile})` : a.kind;
}

/** Measures a concrete target on one policy of a report. */
export function measurePolicy(policy: PolicyReport, target: Target): Measured {
  if (target.kind === 'dist') return measureDist(policy, target);
  if (target.tool !== undefined) {
    const tool = policy.tools?.[target.tool];
    if (!tool) return { value: null, unit: 'plain', problem: `no tool '${target.tool}' in policy '${policy.name}'` };
    return measureField(tool, target.path, target.path[0] === 'call' || target.path[0] === 'attempt' ? 'ms' : undefined);
  }
  return measureField(policy, target.path);
}

/** Measures a field path on any object (a bench file). */
export function measureObject(root: object, target: Target): Measured {
  if (target.kind === 'dist') return { value: null, unit: 'plain', problem: `'${target.metric}' is a report metric` };
  return measureField(root, target.path);
}

function measureDist(policy: PolicyReport, t: Extract<Target, { kind: 'dist' }>): Measured {
  const isCost = t.metric === 'costPerCompletedWorkflow';
  const unit: Unit = isCost ? 'usd' : t.metric === 'tokensPerCompletedWorkflow' ? 'plain' : 'ms';
  const key = histogramKey(isCost ? 'costPerCompletedWorkflowMicros' : t.metric, t.tool);
  const scale = unit === 'plain' ? 1 : unit === 'ms' ? 1000 : 1e6;
  const h = policyHistogram(policy, key);
  if (h) {
    const a = t.aggregate;
    if (a.kind === 'count') return { value: h.totalCount, unit };
    if (a.kind === 'p') return { value: h.getValueAtPercentile(a.percentile) / scale, unit };
    const raw = a.kind === 'avg' ? h.mean : a.kind === 'max' ? h.maxValue : h.getValueAtPercentile(0);
    return { value: raw / scale, unit };
  }
  if (t.aggregate.kind === 'count') return { value: 0, unit };
  // Reports without histograms (hand-written, or trimmed) still carry the summaries.
  const summary = unit === 'ms' ? summaryOf(policy, t) : undefined;
  const fromSummary = summary && summary.count > 0 ? summaryValue(summary, t.aggregate) : undefined;
  if (fromSummary !== undefined) return { value: fromSummary, unit };
  return { value: null, unit, problem: `no samples of ${key}` };
}

function summaryOf(policy: PolicyReport, t: Extract<Target, { kind: 'dist' }>): Summary | undefined {
  if (t.tool === undefined) return policy.latency?.[t.metric as keyof PolicyReport['latency']];
  const tool = policy.tools?.[t.tool];
  return t.metric === 'call' ? tool?.call : t.metric === 'attempt' ? tool?.attempt : undefined;
}

const SUMMARY_PERCENTILES: Record<number, keyof Summary> = { 50: 'p50', 90: 'p90', 95: 'p95', 99: 'p99', 99.9: 'p999', 100: 'max' };

function summaryValue(s: Summary, a: Aggregate): number | undefined {
  if (a.kind === 'avg') return s.mean;
  if (a.kind === 'max') return s.max;
  if (a.kind === 'p' && SUMMARY_PERCENTILES[a.percentile]) return s[SUMMARY_PERCENTILES[a.percentile]];
  return undefined;
}

function measureField(root: object, path: string[], unitHint?: Unit): Measured {
  const rate = path[path.length - 1] === 'rate';
  const written = rate ? path.slice(0, -1) : path;
  const found = expandPath(root, written);
  const keys = found.length === 1 ? found[0] : written;
  const unit = unitHint ?? unitOf(keys, rate);
  const value = getPath(root, keys);
  if (typeof value !== 'number') {
    return { value: null, unit, problem: `'${keys.join('.')}' is not a numeric field${suggestField(root, keys)}` };
  }
  if (!rate) return { value, unit };
  const denominator = getPath(root, rateBase(keys));
  if (typeof denominator !== 'number') return { value: null, unit, problem: `'${keys.join('.')}' has no rate` };
  return { value: denominator === 0 ? 0 : value / denominator, unit };
}

/** ` (did you mean 'a.b'?)` for a path that misses by a typo in one segment. */
function suggestField(root: object, keys: readonly string[]): string {
  let node: unknown = root;
  for (let i = 0; i < keys.length; i++) {
    if (node === null || typeof node !== 'object') return '';
    const next = (node as Record<string, unknown>)[keys[i]];
    if (next === undefined) {
      const hint = didYouMean(keys[i], Object.keys(node));
      return hint ? ` (did you mean '${[...keys.slice(0, i), hint, ...keys.slice(i + 1)].join('.')}'?)` : '';
    }
    node = next;
  }
  return '';
}

/** What `X.rate` divides by: workflows by started, failed calls by logical calls, the rest by attempts. */
function rateBase(keys: string[]): string[] {
  const last = keys[keys.length - 1];
  if (keys[0] === 'workflows') return ['workflows', 'started'];
  const group = keys.slice(0, -1);
  return [...group, last === 'failed' ? 'logical' : 'attempts'];
}

function unitOf(keys: string[], rate: boolean): Unit {
  const last = keys[keys.length - 1];
  if (rate || /Share$|Rate$/.test(last)) return 'share';
  if (keys[0] === 'latency' || last.endsWith('Ms') || keys.includes('call') || keys.includes('attempt')) return 'ms';
  if (keys[0] === 'cost' || keys[0] === 'costPerCompletedWorkflow') return 'usd';
  return 'plain';
}

/** Follows keys that may themselves contain dots (tool names); arrays take numeric keys. */
function getPath(root: unknown, keys: string[]): unknown {
  let cur: unknown = root;
  for (const k of keys) {
    if (cur === null || typeof cur !== 'object' || !Object.hasOwn(cur, k)) return undefined;
    cur = (cur as Record<string, unknown>)[k];
  }
  return cur;
}

/**
 * Turns dotted segments into the object's real keys: at each level the longest run of segments
 * that names a key wins (so `tools.risk.score.timeouts` finds the tool `risk.score`), and `*`
 * stands for every key.
 */
function expandPath(root: unknown, segs: string[]): string[][] {
  if (segs.length === 0) return [[]];
  if (root === null || typeof root !== 'object') return [];
  const obj = root as Record<string, unknown>;
  if (segs[0] === '*') {
    return Object.keys(obj).flatMap((k) => expandPath(obj[k], segs.slice(1)).map((rest) => [k, ...rest]));
  }
  for (let j = segs.length; j >= 1; j--) {
    const key = segs.slice(0, j).join('.');
    if (Object.hasOwn(obj, key)) return expandPath(obj[key], segs.slice(j)).map((rest) => [key, ...rest]);
  }
  return [];
}

/** A value for tables and messages: ms as ms or s, dollars with a $, others to 4 significant digits. */
export function formatValue(value: number | null, unit: Unit): string {
  if (value === null) return '—';
  if (!Number.isFinite(value)) return String(value);
  if (unit === 'ms') return Math.abs(value) >= 1000 ? `${round(value / 1000)} s` : `${round(value)} ms`;
  if (unit === 'usd') return `$${round(value)}`;
  if (unit === 'share') return `${round(value * 100)}%`;
  return round(value);
}

function round(v: number): string {
  // Grouped integers read faster in a table (13,029); en-US keeps the bytes the same everywhere.
  if (Number.isInteger(v)) return Math.abs(v) >= 10_000 ? v.toLocaleString('en-US') : String(v);
  return String(Number(v.toPrecision(4)));
}
