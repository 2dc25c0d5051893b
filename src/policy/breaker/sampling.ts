/**
 * A time-based sampling window (cockatiel SamplingBreaker, Polly v8's circuit breaker): outcomes
 * land in `buckets` buckets of duration / buckets each, keyed by virtual time, and the window is
 * the last `buckets` buckets. The breaker opens when the window holds at least
 * `minimumThroughput` calls and failures / calls ≥ `failureRatio` (Polly's rule; cockatiel uses
 * a strict >). Half-open follows the shared default: one failed probe re-opens.
 */
import type { SamplingBreakerSpec } from '../types.js';
import { BreakerBase, type BreakerListener } from './breaker.js';

export class SamplingBreaker extends BreakerBase {
  private readonly width: number;
  /** Per bucket: the bucket number it holds (time / width), its calls and its failures. */
  private readonly stamp: Float64Array;
  private readonly calls: Uint32Array;
  private readonly fails: Uint32Array;

  constructor(
    private readonly sampling: SamplingBreakerSpec,
    listener?: BreakerListener,
  ) {
    super(sampling, listener);
    if (!(sampling.failureRatio > 0 && sampling.failureRatio <= 1)) throw new RangeError('failureRatio must be in (0, 1]');
    if (!(sampling.duration > 0)) throw new RangeError('duration must be > 0');
    if (!(Number.isInteger(sampling.buckets) && sampling.buckets >= 1)) throw new RangeError('buckets must be an integer ≥ 1');
    if (!(sampling.minimumThroughput >= 1)) throw new RangeError('minimumThroughput must be ≥ 1');
    this.width = sampling.duration / sampling.buckets;
    this.stamp = new Float64Array(sampling.buckets).fill(-Infinity);
    this.calls = new Uint32Array(sampling.buckets);
    this.fails = new Uint32Array(sampling.buckets);
  }

  protected record(now: number, failed: boolean): boolean {
    const n = this.sampling.buckets;
    const bucket = Math.floor(now / this.width);
    const i = bucket % n;
    if (this.stamp[i] !== bucket) {
      this.stamp[i] = bucket;
      this.calls[i] = 0;
      this.fails[i] = 0;
    }
    this.calls[i]++;
    if (failed) this.fails[i]++;
    let calls = 0;
    let fails = 0;
    for (let k = 0; k < n; k++) {
      if (this.stamp[k] > bucket - n) {
        calls += this.calls[k];
        fails += this.fails[k];
      }
    }
    // Only a failure can trip it (as cockatiel and Polly evaluate): a success never opens a breaker.
    return failed && calls >= this.sampling.minimumThroughput && fails / calls >= this.sampling.failureRatio;
  }

  protected reset(): void {
    this.stamp.fill(-Infinity);
    this.calls.fill(0);
    this.fails.fill(0);
  }
}
