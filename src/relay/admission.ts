/**
 * Admission control for one tunnel, sans-IO: at most `maxInFlight` requests forwarded at once and
 * at most `queue` waiting; past that a request is rejected (HTTP 429 / JSON-RPC overload error).
 * The simulator and the live relay drive the same object: `offer` on arrival, `release` when a
 * forwarded request resolves (response, cancellation, or connector loss), and each call says what
 * to forward next. Waiting requests are served FIFO.
 */
export interface AdmissionOptions {
  /** Requests forwarded to the connector at once. @default 256 */
  maxInFlight: number;
  /** Requests allowed to wait for a slot. @default 1024 */
  queue: number;
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
  private head = 0;

  constructor(options: Partial<AdmissionOptions> = {}) {
    this.opts = { ...DEFAULT_ADMISSION, ...options };
    if (!(this.opts.maxInFlight >= 1)) throw new RangeError('maxInFlight must be ≥ 1');
    if (!(this.opts.queue >= 0)) throw new RangeError('queue must be ≥ 0');
  }

  get inFlight(): number {
    return this.inFlightCount;
  }

  get queued(): number {
    return this.waiting.length - this.head;
  }

  /** A request arrives: forward it now, queue it, or reject it. */
  offer(item: T): Admit<T> {
    if (this.inFlightCount < this.opts.maxInFlight) {
      this.inFlightCount++;
      return { kind: 'forward' };
    }
    if (this.queued < this.opts.queue) {
      this.waiting.push(item);
      return { kind: 'queued' };
    }
    return { kind: 'rejected', item };
  }

  /** A forwarded request resolved; returns the next waiting request to forward, if any. */
  release(): T | undefined {
    if (this.inFlightCount <= 0) throw new RangeError('release without a matching forward');
    if (this.head < this.waiting.length) {
      const next = this.waiting[this.head];
      this.waiting[this.head++] = undefined;
      if (this.head > 1024 && this.head * 2 > this.waiting.length) {
        this.waiting = this.waiting.slice(this.head);
        this.head = 0;
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
        return true;
      }
    }
    return false;
  }

  /** Fails everything: the connector dropped. Returns the waiting requests; in-flight count resets. */
  drain(): T[] {
    const out = this.waiting.slice(this.head) as T[];
    this.waiting = [];
    this.head = 0;
    this.inFlightCount = 0;
    return out;
  }
}
