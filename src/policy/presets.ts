/**
 * Presets: the published defaults of the tools engineers ship, each with where it was read. A
 * scenario's policy entry names one with `preset:` and may override any field.
 */
import type { PolicyEntry } from '../scenario/policy-schema.js';

export interface Preset {
  /** Where the default was read: a file in the tool's source or a documentation page. */
  source: string;
  entry: Omit<PolicyEntry, 'name' | 'preset'>;
}

export const PRESETS: Record<string, Preset> = {
  'mcp-sdk-default': {
    source:
      '@modelcontextprotocol/sdk 1.32.2, src/shared/protocol.ts: DEFAULT_REQUEST_TIMEOUT_MSEC = 60000; the Client does not retry',
    entry: {
      description: 'MCP TypeScript SDK defaults: 60 s request timeout, no retry, no breaker',
      timeout: { kind: 'fixed', ms: 60_000 },
      retry: { maxAttempts: 1 },
    },
  },
  'openai-agents-mcp': {
    source:
      'openai/openai-agents-python src/agents/mcp/server.py (commit d6b8993): MCPServerStreamableHttp / MCPServerSse / MCPServerStdio take client_session_timeout_seconds = 5 (the read timeout given to the MCP ClientSession), max_retry_attempts = 0 ("Defaults to no retries") and retry_backoff_seconds_base = 1.0; _run_with_retries sleeps base × 2^(n−1), no jitter, no cap, on any exception',
    entry: {
      description: 'OpenAI Agents SDK MCP servers: 5 s read timeout, no retry (retries, when enabled, back off 1 s × 2ⁿ⁻¹)',
      timeout: { kind: 'fixed', ms: 5_000 },
      retry: { maxAttempts: 1, backoff: { kind: 'exponential', base: 1_000, max: 3_600_000, factor: 2, jitter: 'none' } },
    },
  },
  'langchain-mcp-adapters': {
    source:
      'langchain-ai/langchain-mcp-adapters langchain_mcp_adapters/sessions.py (commit 14d6c1a): DEFAULT_STREAMABLE_HTTP_TIMEOUT = 30 s (HTTP timeout) and DEFAULT_STREAMABLE_HTTP_SSE_READ_TIMEOUT = 5 min, which bounds how long a tool call waits for its response events; no ClientSession read timeout and no retry are set',
    entry: {
      description: 'langchain-mcp-adapters (Streamable HTTP): 300 s SSE read timeout, no retry',
      timeout: { kind: 'fixed', ms: 300_000 },
      retry: { maxAttempts: 1 },
    },
  },
  resilience4j: {
    source:
      'resilience4j/resilience4j: CircuitBreakerConfig.java (commit 335f5eb) DEFAULT_FAILURE_RATE_THRESHOLD 50, DEFAULT_SLOW_CALL_RATE_THRESHOLD 100, DEFAULT_SLOW_CALL_DURATION_THRESHOLD 60 s, DEFAULT_SLIDING_WINDOW_SIZE 100 (COUNT_BASED), DEFAULT_MINIMUM_NUMBER_OF_CALLS 100, DEFAULT_WAIT_DURATION_IN_OPEN_STATE 60 s, DEFAULT_PERMITTED_CALLS_IN_HALF_OPEN_STATE 10; RetryConfig DEFAULT_MAX_ATTEMPTS 3, DEFAULT_WAIT_DURATION 500 ms (constant); TimeLimiterConfig.java (commit 906c829) timeoutDuration 1 s, cancelRunningFuture true',
    entry: {
      description: 'resilience4j defaults: TimeLimiter 1 s (cancels the future), Retry 3 attempts 500 ms apart, COUNT_BASED breaker 100 calls at 50 %',
      timeout: { kind: 'fixed', ms: 1_000 },
      retry: { maxAttempts: 3, backoff: { kind: 'constant', base: 500, jitter: 'none' } },
      breaker: { kind: 'count', window: 100, minimumCalls: 100, failureRate: 0.5, slowCallRate: 1, slowCallDuration: 60_000, halfOpenAfter: 60_000, halfOpenProbes: 10 },
      cancelOnTimeout: true,
    },
  },
  'polly-v8': {
    source:
      'pollydocs.org API reference: RetryStrategyOptions (MaxRetryAttempts 3, Delay 2 s, BackoffType Constant, UseJitter false), CircuitBreakerStrategyOptions (FailureRatio 0.1, SamplingDuration 30 s, MinimumThroughput 100, BreakDuration 5 s), TimeoutStrategyOptions (Timeout 30 s)',
    entry: {
      description: 'Polly v8 defaults: 30 s timeout, 3 retries (4 attempts) 2 s apart, breaker at 10 % failures over 30 s (≥ 100 calls), 5 s break',
      timeout: { kind: 'fixed', ms: 30_000 },
      retry: { maxAttempts: 4, backoff: { kind: 'constant', base: 2_000, jitter: 'none' } },
      breaker: { kind: 'sampling', failureRatio: 0.1, duration: 30_000, minimumThroughput: 100, halfOpenAfter: 5_000 },
    },
  },
  cockatiel: {
    source:
      'connor4312/cockatiel src/backoff/ExponentialBackoff.ts (commit 657be03): initialDelay 128 ms, maxDelay 30 s, exponent 2, decorrelatedJitterGenerator; src/breaker/SamplingBreaker.ts: without minimumRps it needs 5 failures/s, i.e. minimumRps = 5 / threshold. cockatiel has no default timeout, retry count, threshold, duration or halfOpenAfter: this preset chooses 3 attempts, threshold 0.2 over 10 s and halfOpenAfter 10 s',
    entry: {
      description: 'cockatiel ExponentialBackoff defaults (128 ms × 2ⁿ, 30 s cap, decorrelated jitter), 3 attempts, SamplingBreaker 20 % over 10 s',
      timeout: { kind: 'none' },
      retry: { maxAttempts: 3, backoff: { kind: 'exponential', base: 128, max: 30_000, factor: 2, jitter: 'decorrelated' } },
      breaker: { kind: 'sampling', failureRatio: 0.2, duration: 10_000, minimumRps: 25, halfOpenAfter: 10_000 },
    },
  },
  opossum: {
    source:
      'nodeshift/opossum lib/circuit.js (commit 8f83eca): timeout 10000, resetTimeout 30000, errorThresholdPercentage 50 (opens when the error rate is > 50 %), rollingCountTimeout 10000 in rollingCountBuckets 10, volumeThreshold 0; one trial call in half-open; no retry',
    entry: {
      description: 'opossum defaults: 10 s timeout, opens above 50 % errors in a 10 s rolling window, 30 s reset, no retry',
      timeout: { kind: 'fixed', ms: 10_000 },
      retry: { maxAttempts: 1 },
      // opossum opens on a rate strictly above 50 %; the sampling breaker opens at ≥ its ratio.
      breaker: { kind: 'sampling', failureRatio: 0.500001, duration: 10_000, minimumThroughput: 1, buckets: 10, halfOpenAfter: 30_000 },
    },
  },
  'seed-guidance': {
    source: 'the published advice this project tests: timeout at 1.5 × p95, 2–3 retries with exponential backoff and jitter, a breaker that fails fast',
    entry: {
      description: 'per-tool timeout 1.5 × p95, 3 attempts with exponential backoff + full jitter, consecutive breaker',
      timeout: { perTool: { kind: 'percentile', percentile: 95, factor: 1.5 } },
      retry: { maxAttempts: 3, backoff: { kind: 'exponential', base: 200, max: 5000, jitter: 'full' }, layer: 'transport' },
      breaker: { kind: 'consecutive', threshold: 5, halfOpenAfter: 30_000 },
    },
  },
};
