/** A resolved policy: what an agent's caller does around every tool call. Times in milliseconds. */
import type { TimeoutValue } from '../scenario/policy-schema.js';

export type { TimeoutValue };

/** Why an attempt or a call failed; recorded straight into metrics. */
export type FailureKind = 'timeout' | 'error' | 'rateLimited' | 'reset' | 'unavailable' | 'rejected' | 'breakerOpen' | 'deadline';

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
  /** Transport-retry tools marked idempotent: false. @default false */
  retryNonIdempotent: boolean;
  /** Wait at least the relay's Retry-After before retrying a 429. @default true */
  honorRetryAfter: boolean;
}

export interface BreakerSpec {
  kind: 'consecutive';
  /** Consecutive failures that open the breaker. */
  threshold: number;
  /** Time open before one probe is let through. */
  halfOpenAfter: number;
  /** Successful probes needed to close. @default 1 */
  halfOpenProbes: number;
  /** One breaker per tool or one for the whole tunnel. @default 'tool' */
  scope: 'tool' | 'tunnel';
}

export interface Policy {
  name: string;
  description: string;
  /** Timeout per tool; `default` applies to tools not listed. */
  timeout: { default: TimeoutValue; perTool: Record<string, TimeoutValue> };
  retry: RetrySpec;
  breaker?: BreakerSpec;
  /** Whole-workflow deadline. */
  deadline?: number;
  /** The client sends notifications/cancelled on timeout and the server stops work. @default false */
  cancelOnTimeout: boolean;
}

export const DEFAULT_BACKOFF: BackoffSpec = { kind: 'none', base: 200, max: 30_000, factor: 2, jitter: 'none' };

export const ALL_FAILURES: readonly FailureKind[] = ['timeout', 'error', 'rateLimited', 'reset', 'unavailable', 'rejected'];
