/** A resolved policy: what an agent's caller does around every tool call. Times in milliseconds. */
import type { SheddingSpec } from '../relay/shedding.js';
import type { TimeoutValue } from '../scenario/policy-schema.js';
import type { AimdLimitSpec } from './adaptive-limit.js';

export type { TimeoutValue };

/** Why an attempt or a call failed; recorded straight into metrics. */
export type FailureKind =
  | 'timeout'
  | 'error'
  | 'rateLimited'
  | 'reset'
  | 'unavailable'
  | 'rejected'
  | 'breakerOpen'
  | 'deadline'
  | 'bulkheadRejected'
  /** The caller's adaptive concurrency limit refused the attempt (policy/adaptive-limit.ts). */
  | 'limited';

export type Jitter = 'none' | 'full' | 'equal' | 'decorrelated';

export interface BackoffSpec {
  kind: 'none' | 'constant' | 'linear' | 'exponential';
  /** First delay. @default 200 */
  base: number;
  /** Cap on any delay. @default 30000 */
  max: number;
  /** Growth factor of exponential backoff. @default 2 */
  factor: number;
  /** @default 'none' */
  jitter: Jitter;
}

export interface RetrySpec {
  /** Attempts per call, counting the first. @default 1 */
  maxAttempts: number;
  backoff: BackoffSpec;
  /** transport: the MCP client re-sends; agent: the LLM sees the error and re-issues. @default 'transport' */
  layer: 'transport' | 'agent';
  retryOn: ReadonlySet<FailureKind>;
  /** When set, an `error` is retried only if its JSON-RPC code is listed. @default undefined (every code) */
  errorCodes?: ReadonlySet<number>;
  /** Transport-retry tools marked idempotent: false. @default false */
  retryNonIdempotent: boolean;
  /** Wait at least the relay's Retry-After before retrying a 429. @default true */
  honorRetryAfter: boolean;
}

/** How long a breaker stays open: fixed, or growing with each re-open before it closes again. */
export interface OpenDelaySpec {
  kind: 'fixed' | 'exponential';
  /** The first (or only) open duration. */
  base: number;
  /** Cap on the open duration. @default base for fixed, 10 × base for exponential */
  max: number;
  /** Growth per consecutive re-open. @default 2 */
  factor: number;
}

interface BreakerCommon {
  /** Time open before probes are let through. */
  halfOpenAfter: OpenDelaySpec;
  /** Calls let through in half-open. @default 1 */
  halfOpenProbes: number;
  /** One breaker per tool or one for the whole tunnel. @default 'tool' */
  scope: 'tool' | 'tunnel';
}

/** Opens after `threshold` failures in a row (cockatiel ConsecutiveBreaker, Polly v7 basic breaker). */
export interface ConsecutiveBreakerSpec extends BreakerCommon {
  kind: 'consecutive';
  threshold: number;
}

/** resilience4j's COUNT_BASED sliding window: rates over the last `window` calls. */
export interface CountBreakerSpec extends BreakerCommon {
  kind: 'count';
  /** slidingWindowSize. */
  window: number;
  /** minimumNumberOfCalls (capped at `window`, as resilience4j does). */
  minimumCalls: number;
  /** failureRateThreshold as a fraction: opens when failures / calls ≥ this. */
  failureRate: number;
  /** slowCallRateThreshold as a fraction: opens when slow calls / calls ≥ this. */
  slowCallRate: number;
  /** slowCallDurationThreshold: a call longer than this is slow. */
  slowCallDuration: number;
}

/** A time-based sampling window (cockatiel SamplingBreaker, Polly v8 CircuitBreakerStrategyOptions). */
export interface SamplingBreakerSpec extends BreakerCommon {
  kind: 'sampling';
  /** FailureRatio / threshold: opens when failures / calls ≥ this within the window. */
  failureRatio: number;
  /** SamplingDuration / duration. */
  duration: number;
  /** MinimumThroughput: calls in the window before it may open. */
  minimumThroughput: number;
  /** The window slides in this many buckets. @default 10 */
  buckets: number;
}

export type BreakerSpec = ConsecutiveBreakerSpec | CountBreakerSpec | SamplingBreakerSpec;

/** Finagle RetryBudget: a token bucket whose deposits expire after `ttl`. */
export interface FinagleBudgetSpec {
  kind: 'finagle';
  ttl: number;
  minRetriesPerSec: number;
  percentCanRetry: number;
}

/** gRPC retry throttling (gRFC A6): retries allowed while tokens > maxTokens / 2. */
export interface GrpcBudgetSpec {
  kind: 'grpc';
  maxTokens: number;
  tokenRatio: number;
}

/** Envoy retry budget: concurrent retries ≤ max(minRetryConcurrency, budgetPercent × active). */
export interface EnvoyBudgetSpec {
  kind: 'envoy';
  budgetPercent: number;
  minRetryConcurrency: number;
}

export type BudgetSpec = FinagleBudgetSpec | GrpcBudgetSpec | EnvoyBudgetSpec;

export interface HedgingSpec {
  /** Delay before each extra attempt: fixed, or a percentile of the tool's calibrated latency. */
  delay: TimeoutValue;
  /** Extra attempts per logical call. @default 1 */
  maxHedges: number;
  /** Hedge tools marked idempotent: false too. @default false */
  nonIdempotent: boolean;
}

export interface BulkheadSpec {
  /** Logical calls in flight at once. */
  maxConcurrent: number;
  /** Calls waiting for a slot; one more is rejected. @default 0 */
  queue: number;
  /** One bulkhead per tool or one for the whole world. @default 'tool' */
  scope: 'tool' | 'world';
}

export type { AimdLimitSpec } from './adaptive-limit.js';
export type { SheddingSpec } from '../relay/shedding.js';

export interface Policy {
  name: string;
  description: string;
  /** Timeout per tool; `default` applies to tools not listed. */
  timeout: { default: TimeoutValue; perTool: Record<string, TimeoutValue> };
  retry: RetrySpec;
  breaker?: BreakerSpec;
  budget?: BudgetSpec;
  hedging?: HedgingSpec;
  bulkhead?: BulkheadSpec;
  /** An adaptive limit on the caller's attempts in flight (AIMD). */
  concurrencyLimit?: AimdLimitSpec;
  /** The relay sheds requests that queued too long; 'none' turns off the scenario's `relay.shedding` for this policy. */
  relayShedding?: SheddingSpec | 'none';
  /** Whole-workflow deadline. */
  deadline?: number;
  /** The client sends notifications/cancelled on timeout and the server stops work. @default false */
  cancelOnTimeout: boolean;
}

export const DEFAULT_BACKOFF: BackoffSpec = { kind: 'none', base: 200, max: 30_000, factor: 2, jitter: 'none' };

export const ALL_FAILURES: readonly FailureKind[] = ['timeout', 'error', 'rateLimited', 'reset', 'unavailable', 'rejected'];
