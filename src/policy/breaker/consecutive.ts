/**
 * The consecutive-failure circuit breaker (cockatiel ConsecutiveBreaker, opossum's default shape).
 * Closed: calls pass; `threshold` failures in a row open it. Open: calls fail fast with
 * `breakerOpen` until `halfOpenAfter` has passed. Half-open: up to `halfOpenProbes` calls pass as
 * probes; that many successes close it, any failure opens it again. Time comes from the caller
 * (virtual in sim, wall in live): the breaker holds no clock.
 */
import type { BreakerSpec } from './types.js';

export const BreakerState = { Closed: 0, Open: 1, HalfOpen: 2 } as const;
export type BreakerState = (typeof BreakerState)[keyof typeof BreakerState];

export interface BreakerListener {
  transition(t: number, state: BreakerState): void;
  /** Time spent not closed, added when the breaker closes again (ms). */
  openTime(ms: number): void;
}

export class ConsecutiveBreaker {
  state: BreakerState = BreakerState.Closed;
  private failures = 0;
  private openedAt = 0;
  private firstOpenedAt = 0;
  private probesInFlight = 0;
  private probeSuccesses = 0;
  opens = 0;

  constructor(
    private readonly spec: BreakerSpec,
    private readonly listener?: BreakerListener,
  ) {
    if (!(spec.threshold >= 1)) throw new RangeError('threshold must be ≥ 1');
  }

  /** May a call go out now? A `true` in half-open reserves a probe slot. */
  allow(now: number): boolean {
    if (this.state === BreakerState.Closed) return true;
    if (this.state === BreakerState.Open) {
      if (now - this.openedAt < this.spec.halfOpenAfter) return false;
      this.state = BreakerState.HalfOpen;
      this.probesInFlight = 0;
      this.probeSuccesses = 0;
      this.listener?.transition(now, BreakerState.HalfOpen);
    }
    if (this.probesInFlight + this.probeSuccesses >= this.spec.halfOpenProbes) return false;
    this.probesInFlight++;
    return true;
  }

  success(now: number): void {
    if (this.state === BreakerState.Closed) {
      this.failures = 0;
      return;
    }
    if (this.state === BreakerState.HalfOpen) {
      this.probesInFlight = Math.max(0, this.probesInFlight - 1);
      if (++this.probeSuccesses >= this.spec.halfOpenProbes) {
        this.state = BreakerState.Closed;
        this.failures = 0;
        this.listener?.transition(now, BreakerState.Closed);
        this.listener?.openTime(now - this.firstOpenedAt);
      }
    }
    // A success reported while open came from a call admitted before it opened: no change.
  }

  failure(now: number): void {
    if (this.state === BreakerState.Closed) {
      if (++this.failures >= this.spec.threshold) this.open(now, true);
      return;
    }
    if (this.state === BreakerState.HalfOpen) this.open(now, false);
  }

  private open(now: number, fromClosed: boolean): void {
    this.state = BreakerState.Open;
    this.openedAt = now;
    if (fromClosed) this.firstOpenedAt = now;
    this.opens++;
    this.probesInFlight = 0;
    this.listener?.transition(now, BreakerState.Open);
  }

  /** Time since the breaker left the closed state, when it has not closed yet (for end-of-run accounting). */
  openSince(): number | undefined {
    return this.state === BreakerState.Closed ? undefined : this.firstOpenedAt;
  }
}
