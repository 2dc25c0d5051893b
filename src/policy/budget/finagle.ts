/**
 * Finagle's RetryBudget (com.twitter.finagle.service.RetryBudget): every request deposits 1000
 * tokens into a bucket whose deposits expire after `ttl`; a retry withdraws 1000 / percentCanRetry.
 * A reserve of minRetriesPerSec × ttl(s) withdrawals never expires, so a quiet client may still
 * retry. Within any ttl, retries ≤ percentCanRetry × requests + minRetriesPerSec × ttl(s): at a
 * steady failure rate the ratio retries / requests tends to percentCanRetry.
 */
import type { FinagleBudgetSpec } from '../types.js';
import type { AttemptEnd, RetryBudget } from './budget.js';
import { WindowedAdder } from './windowed-adder.js';

/** Finagle's defaults (RetryBudget.apply()): ttl 10 s, 10 retries/s reserve, 20 % of requests. */
export const DEFAULT_FINAGLE_BUDGET: FinagleBudgetSpec = { kind: 'finagle', ttl: 10_000, minRetriesPerSec: 10, percentCanRetry: 0.2 };

const SCALE = 1000;
const SLICES = 10;

export class FinagleBudget implements RetryBudget {
  private readonly bucket: WindowedAdder;
  private readonly withdrawal: number;
  private readonly reserve: number;

  constructor(options: Partial<FinagleBudgetSpec> = {}) {
    const o = { ...DEFAULT_FINAGLE_BUDGET, ...options };
    if (!(o.ttl >= 1000 && o.ttl <= 60_000)) throw new RangeError('ttl must be within [1s, 60s]');
    if (!(o.minRetriesPerSec >= 0)) throw new RangeError('minRetriesPerSec must be ≥ 0');
    if (!(o.percentCanRetry >= 0 && o.percentCanRetry <= 1000)) throw new RangeError('percentCanRetry must be within [0, 1000]');
    // As Finagle: a percentage of 0 makes a withdrawal cost more than a deposit buys.
    this.withdrawal = o.percentCanRetry === 0 ? SCALE + 1 : Math.trunc(SCALE / o.percentCanRetry);
    this.reserve = o.minRetriesPerSec * (o.ttl / 1000) * this.withdrawal;
    this.bucket = new WindowedAdder(o.ttl, SLICES);
  }

  request(now: number): void {
    this.bucket.add(now, SCALE);
  }

  sent(): void {}

  ended(_now: number, _retry: boolean, _end: AttemptEnd): void {}

  tryRetry(now: number): boolean {
    if (this.bucket.sum(now) + this.reserve < this.withdrawal) return false;
    this.bucket.add(now, -this.withdrawal);
    return true;
  }

  /** Retries the bucket would allow now (for tests and reports). */
  balance(now: number): number {
    return Math.floor((this.bucket.sum(now) + this.reserve) / this.withdrawal);
  }
}
