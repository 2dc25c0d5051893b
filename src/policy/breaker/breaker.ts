/**
 * The circuit-breaker state machine every breaker kind shares. Closed: calls pass and each outcome
 * goes to the kind's window (`record`), which says when to open. Open: calls fail fast with
 * `breakerOpen` until the open delay has passed — fixed, or growing with each re-open before the
 * breaker manages to close (a backoff). Half-open: up to `halfOpenProbes` calls pass as probes;
 * the kind's `halfOpenVerdict` closes or re-opens it. Time is passed in by the caller (virtual in
 * sim, wall in live): no breaker holds a clock.
 */
import type { BreakerSpec, OpenDelaySpec } from '../types.js';

export const BreakerState = { Closed: 0, Open: 1, HalfOpen: 2 } as const;
export type BreakerState = (typeof BreakerState)[keyof typeof BreakerState];

export interface BreakerListener {
  transition(t: number, state: BreakerState): void;
  /** Time spent not closed, added when the breaker closes again (ms). */
  openTime(ms: number): void;
}

/** What the caller sees of a breaker: ask before an attempt, report every outcome with its duration. */
export interface Breaker {
  readonly state: BreakerState;
  /** Times it opened (from closed or half-open). */
  readonly opens: number;
  /** May a call go out now? A `true` in half-open reserves a probe slot. */
  allow(now: number): boolean;
  success(now: number, durationMs: number): void;
  failure(now: number, durationMs: number): void;
  /** When it left the closed state, if it has not closed since (end-of-run accounting). */
  openSince(): number | undefined;
}

/** The open duration after the n-th consecutive open (n = 0 for the first). */
export function openDelay(spec: OpenDelaySpec, n: number): number {
  if (spec.kind === 'fixed') return spec.base;
  return Math.min(spec.max, spec.base * Math.pow(spec.factor, n));
}

export abstract class BreakerBase implements Breaker {
  state: BreakerState = BreakerState.Closed;
  opens = 0;
  private openedAt = 0;
  private openFor = 0;
  private firstOpenedAt = 0;
  /** Opens since the breaker last closed: drives a backoff open delay. */
  private reopens = 0;
  protected probesInFlight = 0;
  protected probeSuccesses = 0;
  protected probeFailures = 0;

  constructor(
    protected readonly spec: BreakerSpec,
    private readonly listener?: BreakerListener,
  ) {
    if (!(spec.halfOpenProbes >= 1)) throw new RangeError('halfOpenProbes must be ≥ 1');
    if (!(spec.halfOpenAfter.base >= 0)) throw new RangeError('halfOpenAfter must be ≥ 0');
  }

  /** Records a closed-state outcome; returns true when the breaker should open. */
  protected abstract record(now: number, failed: boolean, durationMs: number): boolean;
  /** Forgets the closed-state window (on opening and on closing). */
  protected abstract reset(): void;

  /**
   * After a probe outcome: 'open', 'close' or 'wait' for more probes. The default is cockatiel's
   * and Polly's: any failed probe re-opens, `halfOpenProbes` successes close.
   */
  protected halfOpenVerdict(failed: boolean, _durationMs: number): 'open' | 'close' | 'wait' {
    if (failed) return 'open';
    return this.probeSuccesses >= this.spec.halfOpenProbes ? 'close' : 'wait';
  }

  allow(now: number): boolean {
    if (this.state === BreakerState.Closed) return true;
    if (this.state === BreakerState.Open) {
      if (now - this.openedAt < this.openFor) return false;
      this.state = BreakerState.HalfOpen;
      this.probesInFlight = 0;
      this.probeSuccesses = 0;
      this.probeFailures = 0;
      this.listener?.transition(now, BreakerState.HalfOpen);
    }
    if (this.probesInFlight + this.probeSuccesses + this.probeFailures >= this.spec.halfOpenProbes) return false;
    this.probesInFlight++;
    return true;
  }

  success(now: number, durationMs: number): void {
    this.outcome(now, false, durationMs);
  }

  failure(now: number, durationMs: number): void {
    this.outcome(now, true, durationMs);
  }

  private outcome(now: number, failed: boolean, durationMs: number): void {
    if (this.state === BreakerState.Closed) {
      if (this.record(now, failed, durationMs)) this.open(now, true);
      return;
    }
    // An outcome reported while open came from a call admitted before it opened: no change.
    if (this.state !== BreakerState.HalfOpen) return;
    this.probesInFlight = Math.max(0, this.probesInFlight - 1);
    if (failed) this.probeFailures++;
    else this.probeSuccesses++;
    const verdict = this.halfOpenVerdict(failed, durationMs);
    if (verdict === 'open') this.open(now, false);
    else if (verdict === 'close') this.close(now);
  }

  private open(now: number, fromClosed: boolean): void {
    this.state = BreakerState.Open;
    this.openedAt = now;
    if (fromClosed) {
      this.firstOpenedAt = now;
      this.reopens = 0;
    }
    this.openFor = openDelay(this.spec.halfOpenAfter, this.reopens++);
    this.opens++;
    this.probesInFlight = 0;
    this.reset();
    this.listener?.transition(now, BreakerState.Open);
  }

  private close(now: number): void {
    this.state = BreakerState.Closed;
    this.reset();
    this.listener?.transition(now, BreakerState.Closed);
    this.listener?.openTime(now - this.firstOpenedAt);
  }

  openSince(): number | undefined {
    return this.state === BreakerState.Closed ? undefined : this.firstOpenedAt;
  }
}
