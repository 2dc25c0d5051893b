/**
 * resilience4j's count-based sliding window: a ring of the last `window` outcomes, each a failure
 * bit and a slow bit (duration > slowCallDuration). Once at least min(minimumCalls, window) calls
 * are in the window, the breaker opens when the failure rate or the slow-call rate reaches its
 * threshold. In half-open, `halfOpenProbes` (permittedNumberOfCallsInHalfOpenState) probes run and
 * the same two rates over the probes decide: reach a threshold and it re-opens, else it closes.
 */
import type { CountBreakerSpec } from '../types.js';
import { BreakerBase, type BreakerListener } from './breaker.js';

const FAILED = 1;
const SLOW = 2;

export class CountBreaker extends BreakerBase {
  private readonly ring: Uint8Array;
  private head = 0;
  private size = 0;
  private failures = 0;
  private slow = 0;
  private probeSlow = 0;
  private readonly minimum: number;

  constructor(
    private readonly count: CountBreakerSpec,
    listener?: BreakerListener,
  ) {
    super(count, listener);
    if (!(Number.isInteger(count.window) && count.window >= 1)) throw new RangeError('window must be an integer ≥ 1');
    if (!(count.minimumCalls >= 1)) throw new RangeError('minimumCalls must be ≥ 1');
    if (!(count.failureRate > 0 && count.failureRate <= 1)) throw new RangeError('failureRate must be in (0, 1]');
    if (!(count.slowCallRate > 0 && count.slowCallRate <= 1)) throw new RangeError('slowCallRate must be in (0, 1]');
    this.ring = new Uint8Array(count.window);
    this.minimum = Math.min(count.minimumCalls, count.window);
  }

  private tripped(calls: number, failures: number, slow: number): boolean {
    return failures / calls >= this.count.failureRate || slow / calls >= this.count.slowCallRate;
  }

  protected record(_now: number, failed: boolean, durationMs: number): boolean {
    const bits = (failed ? FAILED : 0) | (durationMs > this.count.slowCallDuration ? SLOW : 0);
    if (this.size === this.ring.length) {
      const old = this.ring[this.head];
      if (old & FAILED) this.failures--;
      if (old & SLOW) this.slow--;
    } else this.size++;
    this.ring[this.head] = bits;
    this.head = (this.head + 1) % this.ring.length;
    if (bits & FAILED) this.failures++;
    if (bits & SLOW) this.slow++;
    return this.size >= this.minimum && this.tripped(this.size, this.failures, this.slow);
  }

  protected reset(): void {
    this.ring.fill(0);
    this.head = 0;
    this.size = 0;
    this.failures = 0;
    this.slow = 0;
    this.probeSlow = 0;
  }

  protected override halfOpenVerdict(_failed: boolean, durationMs: number): 'open' | 'close' | 'wait' {
    if (durationMs > this.count.slowCallDuration) this.probeSlow++;
    const done = this.probeSuccesses + this.probeFailures;
    if (done < this.count.halfOpenProbes) return 'wait';
    return this.tripped(done, this.probeFailures, this.probeSlow) ? 'open' : 'close';
  }
}
