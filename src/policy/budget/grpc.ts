/**
 * gRPC retry throttling (gRFC A6, `retryThrottling` in the service config): a token count starts
 * at maxTokens; each attempt that fails with a retryable status takes 1, each success adds
 * tokenRatio (capped at maxTokens); retries are allowed only while tokens > maxTokens / 2. Failures
 * that are not retryable leave the count alone, as in A6.
 */
import type { GrpcBudgetSpec } from '../types.js';
import { AttemptEnd, type RetryBudget } from './budget.js';

export class GrpcThrottle implements RetryBudget {
  tokens: number;

  constructor(private readonly spec: GrpcBudgetSpec) {
    // A6 bounds: 0 < maxTokens ≤ 1000, tokenRatio > 0.
    if (!(spec.maxTokens > 0 && spec.maxTokens <= 1000)) throw new RangeError('maxTokens must be within (0, 1000]');
    if (!(spec.tokenRatio > 0)) throw new RangeError('tokenRatio must be > 0');
    this.tokens = spec.maxTokens;
  }

  request(): void {}

  sent(): void {}

  ended(_now: number, _retry: boolean, end: AttemptEnd): void {
    if (end === AttemptEnd.Ok) this.tokens = Math.min(this.spec.maxTokens, this.tokens + this.spec.tokenRatio);
    else if (end === AttemptEnd.RetryableFailure) this.tokens = Math.max(0, this.tokens - 1);
  }

  tryRetry(): boolean {
    return this.tokens > this.spec.maxTokens / 2;
  }
}
