/**
 * Envoy's retry budget (cluster circuit_breakers.thresholds.retry_budget): the retries in flight
 * may not exceed max(min_retry_concurrency, budget_percent % of the requests in flight). Requests
 * in flight are this client's attempts that have gone out and not ended; a retry counts as in
 * flight from when it is sent until it ends, as Envoy counts it from dispatch.
 */
import type { EnvoyBudgetSpec } from '../types.js';
import type { AttemptEnd, RetryBudget } from './budget.js';

/** Envoy's documented defaults: budget_percent 20 %, min_retry_concurrency 3. */
export const DEFAULT_ENVOY_BUDGET: EnvoyBudgetSpec = { kind: 'envoy', budgetPercent: 20, minRetryConcurrency: 3 };

export class EnvoyBudget implements RetryBudget {
  active = 0;
  activeRetries = 0;
  private readonly o: EnvoyBudgetSpec;

  constructor(options: Partial<EnvoyBudgetSpec> = {}) {
    this.o = { ...DEFAULT_ENVOY_BUDGET, ...options };
    if (!(this.o.budgetPercent >= 0 && this.o.budgetPercent <= 100)) throw new RangeError('budgetPercent must be within [0, 100]');
    if (!(Number.isInteger(this.o.minRetryConcurrency) && this.o.minRetryConcurrency >= 0)) throw new RangeError('minRetryConcurrency must be an integer ≥ 0');
  }

  request(): void {}

  sent(_now: number, retry: boolean): void {
    this.active++;
    if (retry) this.activeRetries++;
  }

  ended(_now: number, retry: boolean, _end: AttemptEnd): void {
    this.active--;
    if (retry) this.activeRetries--;
  }

  tryRetry(): boolean {
    const allowed = Math.max(this.o.minRetryConcurrency, Math.floor((this.o.budgetPercent / 100) * this.active));
    return this.activeRetries < allowed;
  }
}
