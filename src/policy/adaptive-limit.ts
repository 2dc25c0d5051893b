/**
 * An adaptive concurrency limit in the caller: at most `limit` attempts in flight, the limit found
 * by AIMD as Netflix's concurrency-limits does it (`AIMDLimit` + `SimpleLimiter`): every attempt
 * that ends is a sample; a drop (timeout, overload answer, reset) or a round trip longer than
 * `timeout` cuts the limit to ⌊limit × backoffRatio⌋, a success while at least half the limit
 * was in use raises it by one, and it stays within [min, max]. An attempt over the limit is
 * refused at once (`limited`), so under overload the caller sheds its own load instead of queueing
 * it at the server — the lever that lets a retry storm drain. Defaults are Netflix's.
 */
export interface AimdLimitSpec {
  kind: 'aimd';
  /** @default 20 */
  initial: number;
  /** @default 20 */
  min: number;
  /** @default 200 */
  max: number;
  /** Multiplier on a drop, in [0.5, 1). @default 0.9 */
  backoffRatio: number;
  /** A round trip longer than this (ms) counts as a drop. @default 5000 */
  timeout: number;
}

export const DEFAULT_AIMD_LIMIT: AimdLimitSpec = { kind: 'aimd', initial: 20, min: 20, max: 200, backoffRatio: 0.9, timeout: 5000 };

/** How an attempt ended, for the limit: a latency sample, a drop, or neither (an application error). */
export const Sample = { Ok: 0, Drop: 1, Ignore: 2 } as const;

export class AdaptiveLimiter {
  private readonly o: AimdLimitSpec;
  limit: number;
  inFlight = 0;

  constructor(options: Partial<AimdLimitSpec> = {}) {
    this.o = { ...DEFAULT_AIMD_LIMIT, ...options };
    const { min, max, initial, backoffRatio, timeout } = this.o;
    if (!(Number.isInteger(min) && min >= 1)) throw new RangeError('min must be an integer ≥ 1');
    if (!(Number.isInteger(max) && max >= min)) throw new RangeError('max must be an integer ≥ min');
    if (!(Number.isInteger(initial) && initial >= min && initial <= max)) throw new RangeError('initial must be an integer within [min, max]');
    if (!(backoffRatio >= 0.5 && backoffRatio < 1)) throw new RangeError('backoffRatio must be in [0.5, 1)');
    if (!(timeout > 0)) throw new RangeError('timeout must be > 0');
    this.limit = initial;
  }

  /** Takes a slot; returns the in-flight count including this attempt, or 0 when over the limit. */
  acquire(): number {
    if (this.inFlight >= this.limit) return 0;
    return ++this.inFlight;
  }

  /** An attempt that held a slot ended: `inflight` is what `acquire` returned for it. */
  release(sample: number, rttMs: number, inflight: number): void {
    this.inFlight--;
    if (sample === Sample.Ignore) return;
    let limit = this.limit;
    if (sample === Sample.Drop || rttMs > this.o.timeout) limit = Math.floor(limit * this.o.backoffRatio);
    else if (inflight * 2 >= limit) limit++;
    this.limit = Math.min(this.o.max, Math.max(this.o.min, limit));
  }
}
