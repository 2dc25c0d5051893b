/**
 * A client-side bulkhead (cockatiel `bulkhead(limit, queue)`, Polly's concurrency limiter): at most
 * `maxConcurrent` logical calls in flight; up to `queue` more wait in FIFO order; one more is
 * rejected at once with `bulkheadRejected`. A freed slot passes straight to the head of the queue,
 * which is woken through the scheduler so no call runs inside another's completion.
 */
import type { EventTarget } from '../kernel/queue.js';
import type { BulkheadSpec } from './types.js';

export const DEFAULT_BULKHEAD: BulkheadSpec = { maxConcurrent: 10, queue: 0, scope: 'tool' };

/** The event kind a waiting call receives when it is granted a slot. */
export const K_SLOT = 3;

export interface BulkheadScheduler {
  after(delay: number, target: EventTarget, kind: number, ref?: unknown): void;
}

export type Admission = 'granted' | 'queued' | 'rejected';

export class Bulkhead {
  inFlight = 0;
  private readonly waiting: EventTarget[] = [];
  private head = 0;
  private readonly o: BulkheadSpec;

  constructor(
    private readonly scheduler: BulkheadScheduler,
    options: Partial<BulkheadSpec> = {},
  ) {
    this.o = { ...DEFAULT_BULKHEAD, ...options };
    if (!(Number.isInteger(this.o.maxConcurrent) && this.o.maxConcurrent >= 1)) throw new RangeError('maxConcurrent must be an integer ≥ 1');
    if (!(Number.isInteger(this.o.queue) && this.o.queue >= 0)) throw new RangeError('queue must be an integer ≥ 0');
  }

  get queued(): number {
    return this.waiting.length - this.head;
  }

  acquire(waiter: EventTarget): Admission {
    if (this.inFlight < this.o.maxConcurrent) {
      this.inFlight++;
      return 'granted';
    }
    if (this.queued < this.o.queue) {
      this.waiting.push(waiter);
      return 'queued';
    }
    return 'rejected';
  }

  release(): void {
    if (this.queued === 0) {
      this.inFlight--;
      return;
    }
    const next = this.waiting[this.head];
    this.waiting[this.head++] = undefined as unknown as EventTarget;
    if (this.head > 1024 && this.head * 2 > this.waiting.length) {
      this.waiting.splice(0, this.head);
      this.head = 0;
    }
    // The slot passes on without being freed, so a newcomer cannot overtake the queue.
    this.scheduler.after(0, next, K_SLOT);
  }
}
