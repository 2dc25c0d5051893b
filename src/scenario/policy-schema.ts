/**
 * The `policies:` section. A policy is the caller-side behaviour an agent applies to every tool
 * call: timeout, retry (+ backoff, jitter, layer), circuit breaker, retry budget, hedging,
 * bulkhead, adaptive concurrency limit, workflow deadline — and, so mitigations compare in one
 * run, the relay's load shedding for this policy's world. A `preset`
 * fills the fields the entry leaves out (see policy/presets.ts).
 */
import { z } from 'zod';
import { DEFAULT_SHEDDING, type SheddingSpec } from '../relay/shedding.js';
import { delegate, durationSchema } from './dist.js';
import { parseDuration } from './units.js';

/** A timeout value: a duration, `none`, or a percentile rule such as `p95x1.5`. */
export type TimeoutValue = { kind: 'none' } | { kind: 'fixed'; ms: number } | { kind: 'percentile'; percentile: number; factor: number };

/** `p95x1.5` = 1.5 × p95; a bare `p95` means 1 × p95 (hedge delays read naturally that way). */
const PCT = /^p(\d+(?:\.\d+)?)(?:x(\d+(?:\.\d+)?))?$/;

export const timeoutValueSchema = z.union([z.string(), z.number()]).transform((v, ctx): TimeoutValue => {
  if (v === 'none') return { kind: 'none' };
  if (typeof v === 'string') {
    const m = PCT.exec(v);
    if (m) {
      const percentile = Number(m[1]);
      const factor = m[2] === undefined ? 1 : Number(m[2]);
      if (!(percentile > 0 && percentile < 100) || !(factor > 0)) {
        ctx.addIssue({ code: 'custom', message: `'${v}': percentile must be in (0, 100) and factor > 0` });
        return z.NEVER;
      }
      return { kind: 'percentile', percentile, factor };
    }
    const ms = parseDuration(v);
    if (ms !== undefined && ms > 0) return { kind: 'fixed', ms };
  }
  ctx.addIssue({ code: 'custom', message: `'${v}' is not a timeout (a duration like '2s', a rule like 'p95x1.5', or 'none')` });
  return z.NEVER;
});

export const timeoutSchema = z.union([
  timeoutValueSchema,
  z.strictObject({
    default: timeoutValueSchema.optional(),
    perTool: z.union([timeoutValueSchema, z.record(z.string(), timeoutValueSchema)]).optional(),
  }),
]);

export const JITTERS = ['none', 'full', 'equal', 'decorrelated'] as const;
export const RETRY_ON = ['timeout', 'error', 'rateLimited', 'reset', 'unavailable', 'rejected', 'bulkheadRejected'] as const;

export const backoffSchema = z.union([
  z.literal('none'),
  z.strictObject({
    kind: z.enum(['none', 'constant', 'linear', 'exponential']),
    base: durationSchema().optional(),
    max: durationSchema().optional(),
    factor: z.number().min(1).optional(),
    jitter: z.enum(JITTERS).optional(),
  }),
]);

export const retrySchema = z.strictObject({
  maxAttempts: z.number().int().min(1, 'must be ≥ 1 (it counts the first attempt)'),
  backoff: backoffSchema.optional(),
  layer: z.enum(['transport', 'agent']).optional(),
  retryOn: z.array(z.enum(RETRY_ON)).optional(),
  errorCodes: z.array(z.number().int()).min(1).optional(),
  retryNonIdempotent: z.boolean().optional(),
  honorRetryAfter: z.boolean().optional(),
});

/** `halfOpenAfter: 30s`, or a backoff that grows with each re-open: `{ kind: exponential, base: 5s, max: 2m }`. */
export const openDelaySchema = z.union([
  durationSchema(),
  z.strictObject({
    kind: z.enum(['fixed', 'exponential']),
    base: durationSchema(),
    max: durationSchema().optional(),
    factor: z.number().min(1).optional(),
  }),
]);

const fraction = z.number().gt(0, 'must be > 0').max(1, 'must be ≤ 1 (a fraction: 50 % is 0.5)');

const breakerCommon = {
  halfOpenAfter: openDelaySchema,
  halfOpenProbes: z.number().int().min(1).optional(),
  scope: z.enum(['tool', 'tunnel']).optional(),
};

export const breakerSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('consecutive'), threshold: z.number().int().min(1), ...breakerCommon }),
  z.strictObject({
    kind: z.literal('count'),
    window: z.number().int().min(1),
    minimumCalls: z.number().int().min(1).optional(),
    failureRate: fraction.optional(),
    slowCallRate: fraction.optional(),
    slowCallDuration: durationSchema().optional(),
    ...breakerCommon,
  }),
  z.strictObject({
    kind: z.literal('sampling'),
    failureRatio: fraction,
    duration: durationSchema().refine((x) => x > 0, 'must be > 0'),
    minimumThroughput: z.number().int().min(1).optional(),
    minimumRps: z.number().positive().optional(),
    buckets: z.number().int().min(1).optional(),
    ...breakerCommon,
  }),
]);

export const budgetSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('finagle'),
    ttl: durationSchema().refine((x) => x >= 1000 && x <= 60_000, 'must be within [1s, 60s] (as Finagle)').optional(),
    minRetriesPerSec: z.number().min(0).optional(),
    percentCanRetry: z.number().min(0).max(1000).optional(),
  }),
  z.strictObject({ kind: z.literal('grpc'), maxTokens: z.number().gt(0).max(1000), tokenRatio: z.number().gt(0) }),
  z.strictObject({
    kind: z.literal('envoy'),
    budgetPercent: z.number().min(0).max(100).optional(),
    minRetryConcurrency: z.number().int().min(0).optional(),
  }),
]);

export const hedgingSchema = z.strictObject({
  delay: timeoutValueSchema,
  maxHedges: z.number().int().min(1).optional(),
  nonIdempotent: z.boolean().optional(),
});

export const bulkheadSchema = z.strictObject({
  maxConcurrent: z.number().int().min(1),
  queue: z.number().int().min(0).optional(),
  scope: z.enum(['tool', 'world']).optional(),
});

export const concurrencyLimitSchema = z.strictObject({
  kind: z.literal('aimd'),
  initial: z.number().int().min(1).optional(),
  min: z.number().int().min(1).optional(),
  max: z.number().int().min(1).optional(),
  backoffRatio: z.number().min(0.5, 'must be in [0.5, 1)').lt(1, 'must be in [0.5, 1)').optional(),
  timeout: durationSchema()
    .refine((x) => x > 0, 'must be > 0')
    .optional(),
});

/** Relay load shedding on queueing delay (relay/shedding.ts), Facebook's defaults filled in. */
export const sheddingSchema = z
  .strictObject({
    kind: z.literal('codel'),
    target: durationSchema()
      .refine((x) => x > 0, 'must be > 0')
      .optional(),
    interval: durationSchema()
      .refine((x) => x > 0, 'must be > 0')
      .optional(),
  })
  .transform((s, ctx): SheddingSpec => {
    const spec = { kind: 'codel' as const, target: s.target ?? DEFAULT_SHEDDING.target, interval: s.interval ?? DEFAULT_SHEDDING.interval };
    if (spec.interval < spec.target) ctx.addIssue({ code: 'custom', message: `must be ≥ target (${spec.target} ms)`, path: ['interval'] });
    return spec;
  });

/** `none`, or a shedding block whose own errors keep their field paths (a plain union would say only "Invalid input"). */
export const sheddingOrNone = () =>
  z.unknown().transform((v, ctx): SheddingSpec | 'none' => (v === 'none' ? 'none' : delegate(sheddingSchema, v, ctx)));

export const policyEntrySchema = z.strictObject({
  name: z.string().min(1).regex(/^[A-Za-z0-9_.-]+$/, 'use letters, digits, - _ and . only'),
  preset: z.string().optional(),
  description: z.string().optional(),
  timeout: timeoutSchema.optional(),
  retry: retrySchema.optional(),
  breaker: z.union([breakerSchema, z.literal('none')]).optional(),
  budget: z.union([budgetSchema, z.literal('none')]).optional(),
  hedging: z.union([hedgingSchema, z.literal('none')]).optional(),
  bulkhead: z.union([bulkheadSchema, z.literal('none')]).optional(),
  concurrencyLimit: z.union([concurrencyLimitSchema, z.literal('none')]).optional(),
  relayShedding: sheddingOrNone().optional(),
  deadline: durationSchema().optional(),
  cancelOnTimeout: z.boolean().optional(),
});

export type PolicyEntry = z.output<typeof policyEntrySchema>;
export type RetryEntry = z.output<typeof retrySchema>;
export type BreakerEntry = z.output<typeof breakerSchema>;
export type TimeoutEntry = z.output<typeof timeoutSchema>;
export type OpenDelayEntry = z.output<typeof openDelaySchema>;
export type BudgetEntry = z.output<typeof budgetSchema>;
export type SheddingEntry = z.output<typeof sheddingSchema>;
export type ConcurrencyLimitEntry = z.output<typeof concurrencyLimitSchema>;
