/**
 * A `policies:` entry → the runtime `Policy`: the preset fills what the entry leaves out, then
 * every omitted field takes its documented default (docs/policies.md).
 */
import { TunnelsimError } from '../errors.js';
import { describePolicy } from '../policy/describe.js';
import { PRESETS } from '../policy/presets.js';
import {
  ALL_FAILURES,
  DEFAULT_BACKOFF,
  type BackoffSpec,
  type BreakerSpec,
  type BudgetSpec,
  type FailureKind,
  type OpenDelaySpec,
  type Policy,
  type TimeoutValue,
} from '../policy/types.js';
import { DEFAULT_FINAGLE_BUDGET } from '../policy/budget/finagle.js';
import { DEFAULT_ENVOY_BUDGET } from '../policy/budget/envoy.js';
import { DEFAULT_AIMD_LIMIT, type AimdLimitSpec } from '../policy/adaptive-limit.js';
import type { BreakerEntry, BudgetEntry, ConcurrencyLimitEntry, OpenDelayEntry, PolicyEntry, TimeoutEntry } from './policy-schema.js';

/** resilience4j CircuitBreakerConfig defaults for what a `count` breaker leaves out. */
export const DEFAULT_COUNT_BREAKER = { minimumCalls: 100, failureRate: 0.5, slowCallRate: 1, slowCallDuration: 60_000 };
/** Polly v8 CircuitBreakerStrategyOptions.MinimumThroughput, when neither it nor minimumRps is given. */
export const DEFAULT_MINIMUM_THROUGHPUT = 100;
export const DEFAULT_SAMPLING_BUCKETS = 10;

function timeoutOf(t: TimeoutEntry | undefined): { default: TimeoutValue; perTool: Record<string, TimeoutValue> } {
  if (t === undefined) return { default: { kind: 'none' }, perTool: {} };
  if ('kind' in t) return { default: t, perTool: {} };
  if (t.perTool && typeof t.perTool.kind === 'string') return { default: t.perTool as TimeoutValue, perTool: {} };
  return { default: t.default ?? { kind: 'none' }, perTool: (t.perTool as Record<string, TimeoutValue>) ?? {} };
}

function openDelayOf(d: OpenDelayEntry): OpenDelaySpec {
  if (typeof d === 'number') return { kind: 'fixed', base: d, max: d, factor: 2 };
  return { kind: d.kind, base: d.base, max: d.max ?? (d.kind === 'fixed' ? d.base : 10 * d.base), factor: d.factor ?? 2 };
}

function breakerOf(b: BreakerEntry): BreakerSpec {
  const common = { halfOpenAfter: openDelayOf(b.halfOpenAfter), halfOpenProbes: b.halfOpenProbes ?? 1, scope: b.scope ?? ('tool' as const) };
  if (b.kind === 'consecutive') return { kind: 'consecutive', threshold: b.threshold, ...common };
  if (b.kind === 'count') {
    const d = DEFAULT_COUNT_BREAKER;
    return {
      kind: 'count',
      window: b.window,
      minimumCalls: b.minimumCalls ?? d.minimumCalls,
      failureRate: b.failureRate ?? d.failureRate,
      slowCallRate: b.slowCallRate ?? d.slowCallRate,
      slowCallDuration: b.slowCallDuration ?? d.slowCallDuration,
      ...common,
    };
  }
  const minimumThroughput = b.minimumThroughput ?? (b.minimumRps !== undefined ? Math.max(1, Math.ceil((b.minimumRps * b.duration) / 1000)) : DEFAULT_MINIMUM_THROUGHPUT);
  return { kind: 'sampling', failureRatio: b.failureRatio, duration: b.duration, minimumThroughput, buckets: b.buckets ?? DEFAULT_SAMPLING_BUCKETS, ...common };
}

function budgetOf(b: BudgetEntry): BudgetSpec {
  if (b.kind === 'finagle') return { ...DEFAULT_FINAGLE_BUDGET, ...stripUndefined(b) };
  if (b.kind === 'envoy') return { ...DEFAULT_ENVOY_BUDGET, ...stripUndefined(b) };
  return b;
}

function limitOf(l: ConcurrencyLimitEntry, field: string, file: string): AimdLimitSpec {
  const spec = { ...DEFAULT_AIMD_LIMIT, ...stripUndefined(l) };
  // Netflix's limit starts at 20 within [20, 200]; a smaller max or a larger min moves the start in.
  if (l.initial === undefined) spec.initial = Math.min(spec.max, Math.max(spec.min, DEFAULT_AIMD_LIMIT.initial));
  if (spec.max < spec.min) throw new TunnelsimError('INVALID_SCENARIO', `max (${spec.max}) must be ≥ min (${spec.min})`, { file, field: `${field}.concurrencyLimit.max` });
  if (spec.initial < spec.min || spec.initial > spec.max) throw new TunnelsimError('INVALID_SCENARIO', `must be within [min, max] = [${spec.min}, ${spec.max}]`, { file, field: `${field}.concurrencyLimit.initial` });
  return spec;
}

export function resolvePolicy(entry: PolicyEntry, field: string, file: string): Policy {
  let base: Partial<PolicyEntry> = {};
  if (entry.preset !== undefined) {
    const preset = PRESETS[entry.preset];
    if (!preset) {
      throw new TunnelsimError('INVALID_SCENARIO', `unknown preset '${entry.preset}' (known: ${Object.keys(PRESETS).join(', ')})`, {
        file,
        field: `${field}.preset`,
      });
    }
    base = preset.entry;
  }
  const e = { ...base, ...stripUndefined(entry) };
  const r = e.retry ?? { maxAttempts: 1 };
  const b = r.backoff === undefined || r.backoff === 'none' ? { kind: 'none' as const } : r.backoff;
  const backoff: BackoffSpec = { ...DEFAULT_BACKOFF, ...stripUndefined(b) };
  const breaker = e.breaker && e.breaker !== 'none' ? breakerOf(e.breaker) : undefined;
  const hedging = e.hedging && e.hedging !== 'none' ? e.hedging : undefined;
  if (hedging && hedging.delay.kind === 'none') {
    throw new TunnelsimError('INVALID_SCENARIO', "a hedge needs a delay (a duration like '300ms' or a rule like 'p95x1')", { file, field: `${field}.hedging.delay` });
  }
  const bulkhead = e.bulkhead && e.bulkhead !== 'none' ? e.bulkhead : undefined;
  const policy: Omit<Policy, 'description'> = {
    name: entry.name,
    timeout: timeoutOf(e.timeout),
    retry: {
      maxAttempts: r.maxAttempts,
      backoff,
      layer: r.layer ?? 'transport',
      retryOn: new Set<FailureKind>(r.retryOn ?? ALL_FAILURES),
      errorCodes: r.errorCodes ? new Set(r.errorCodes) : undefined,
      retryNonIdempotent: r.retryNonIdempotent ?? false,
      honorRetryAfter: r.honorRetryAfter ?? true,
    },
    breaker,
    budget: e.budget && e.budget !== 'none' ? budgetOf(e.budget) : undefined,
    hedging: hedging ? { delay: hedging.delay, maxHedges: hedging.maxHedges ?? 1, nonIdempotent: hedging.nonIdempotent ?? false } : undefined,
    bulkhead: bulkhead ? { maxConcurrent: bulkhead.maxConcurrent, queue: bulkhead.queue ?? 0, scope: bulkhead.scope ?? 'tool' } : undefined,
    concurrencyLimit: e.concurrencyLimit && e.concurrencyLimit !== 'none' ? limitOf(e.concurrencyLimit, field, file) : undefined,
    relayShedding: e.relayShedding === undefined ? undefined : e.relayShedding,
    deadline: e.deadline,
    cancelOnTimeout: e.cancelOnTimeout ?? false,
  };
  return { ...policy, description: e.description ?? describePolicy(policy) };
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
