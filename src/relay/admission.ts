/**
 * Admission control for one tunnel, sans-IO: at most `maxInFlight` requests forwarded at once and
 * at most `queue` waiting; past that a request is rejected (HTTP 429 / JSON-RPC overload error).
 * The simulator and the live relay drive the same object: `offer` on arrival, `release` when a
 * forwarded request resolves (response, cancellation, or connector loss), and each call says what
 * to forward next. Waiting requests are served FIFO.
 *
 * Load shedding on queueing delay (`shedding`, relay/shedding.ts): each waiting request gets the
 * longest wait it may have when it joins the queue, and `release` sheds the ones at the head that
 * waited past it instead of forwarding them — they go to `shed`, for the caller to answer with
 * an overload error. Time comes in as `now` (ms); without shedding it is ignored.
 */
import { allowedWait, type SheddingSpec } from './shedding.js';

export interface AdmissionOptions {
  /** Requests forwarded to the connector at once. @default 256 */
  maxInFlight: number;
  /** Requests allowed to wait for a slot. @default 1024 */
  queue: number;
  /** Shed waiting requests that queued too long (CoDel-style). @default undefined (never) */
  shedding?: SheddingSpec;
}

export const DEFAULT_ADMISSION: AdmissionOptions = { maxInFlight: 256, queue: 1024 };

/** A request refused because the queue is full comes back after this long (ms): the relay's Retry-After of 1 s. */
export const QUEUE_FULL_RETRY_AFTER_MS = 1000;

export type Admit<T> = { kind: 'forward' } | { kind: 'queued' } | { kind: 'rejected'; item: T };

export class Admission<T> {
  private readonly opts: AdmissionOptions;
  private inFlightCount = 0;
  // A ring buffer would avoid shift(); an array with a head index does the same job simply.
  private waiting: (T | undefined)[] = [];
  /** Per waiting request (same index): the time by which it must have left the queue. */
  private deadlines: number[] = [];
  private head = 0;
  /** When the queue last went from empty to non-empty (ms): it has stood since then (the shedding rule). */
  private nonEmptySince = 0;
  /** Requests the last `release` shed, oldest first; the caller answers them and clears the array. */
  readonly shed: T[] = [];

  constructor(options: Partial<AdmissionOptions> = {}) {
    this.opts = { ...DEFAULT_ADMISSION, ...options };
    if (!(this.opts.maxInFlight >= 1)) throw new RangeError('maxInFlight must be ≥ 1');
    if (!(this.opts.queue >= 0)) throw new RangeError('queue must be ≥ 0');
    const s = this.opts.shedding;
    if (s && !(s.target > 0 && s.interval >= s.target)) throw new RangeError('shedding needs target > 0 and interval ≥ target');
  }

  get inFlight(): number {
    return this.inFlightCount;
  }

  get queued(): number {
    return this.waiting.length - this.head;
  }

  /**
   * A request arrives at `now`: forward it now, queue it, or reject it. Only a `sheddable` one may
   * be shed while it waits (the relay sheds tool calls, the work; never a session's set-up).
   */
  offer(item: T, now = 0, sheddable = true): Admit<T> {
    if (this.inFlightCount < this.opts.maxInFlight) {
      this.inFlightCount++;
      return { kind: 'forward' };
    }
    if (this.queued < this.opts.queue) {
      const s = this.opts.shedding;
      if (this.queued === 0) this.nonEmptySince = now;
      this.waiting.push(item);
      this.deadlines.push(s && sheddable ? now + allowedWait(s, now, this.nonEmptySince) : Infinity);
      return { kind: 'queued' };
    }
    return { kind: 'rejected', item };
  }

  /**
   * A forwarded request resolved at `now`; returns the next waiting request to forward, if any.
   * Waiting requests past their allowed wait are shed on the way (see `shed`).
   */
  release(now = 0): T | undefined {
    if (this.inFlightCount <= 0) throw new RangeError('release without a matching forward');
    while (this.head < this.waiting.length) {
      const next = this.waiting[this.head];
      const late = this.deadlines[this.head] < now;
      this.waiting[this.head++] = undefined;
      if (this.head > 1024 && this.head * 2 > this.waiting.length) {
        this.waiting = this.waiting.slice(this.head);
        this.deadlines = this.deadlines.slice(this.head);
        this.head = 0;
      }
      if (late) {
        this.shed.push(next as T);
        continue;
      }
      return next; // the slot passes straight to it
    }
    this.inFlightCount--;
    return undefined;
  }

  /** Removes a waiting request (its caller gave up). Returns true when it was still waiting. */
  withdraw(item: T): boolean {
    for (let i = this.head; i < this.waiting.length; i++) {
      if (this.waiting[i] === item) {
        this.waiting.splice(i, 1);
        this.deadlines.splice(i, 1);
        return true;
      }
    }
    return false;
  }

  /** Fails everything: the connector dropped. Returns the waiting requests; in-flight count resets. */
  drain(): T[] {
    const out = this.waiting.slice(this.head) as T[];
    this.waiting = [];
    this.deadlines = [];
    this.head = 0;
    this.inFlightCount = 0;
    return out;
  }
}
