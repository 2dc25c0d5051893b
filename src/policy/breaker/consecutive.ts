/**
 * The consecutive-failure breaker (cockatiel ConsecutiveBreaker, opossum's and Polly v7's basic
 * shape): `threshold` failures in a row open it; any success resets the count.
 */
import type { ConsecutiveBreakerSpec } from '../types.js';
import { BreakerBase, type BreakerListener } from './breaker.js';

export class ConsecutiveBreaker extends BreakerBase {
  private failures = 0;

  constructor(spec: ConsecutiveBreakerSpec, listener?: BreakerListener) {
    super(spec, listener);
    if (!(spec.threshold >= 1)) throw new RangeError('threshold must be ≥ 1');
  }

  protected record(_now: number, failed: boolean): boolean {
    if (!failed) {
      this.failures = 0;
      return false;
    }
    return ++this.failures >= (this.spec as ConsecutiveBreakerSpec).threshold;
  }

  protected reset(): void {
    this.failures = 0;
  }
}
