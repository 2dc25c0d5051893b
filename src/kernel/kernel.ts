/**
 * The simulation kernel: a virtual clock, the (time, seq) event queue and a loop. Models live
 * outside it; they schedule events on targets and, for scripted logic, run generator processes
 * (see process.ts). Time is in milliseconds as a float.
 */
import type { Clock } from './clock.js';
import { EventQueue, type EventTarget } from './queue.js';

export class Kernel implements Clock {
  private t = 0;
  private readonly queue = new EventQueue();
  private stopped = false;
  /** Events fired so far (a benchmark figure). */
  fired = 0;

  now(): number {
    return this.t;
  }

  /** Schedules target.fire(kind, ref) after `delay` ms (≥ 0). */
  after(delay: number, target: EventTarget, kind: number, ref?: unknown): void {
    if (!(delay >= 0)) throw new RangeError(`delay must be ≥ 0, got ${delay}`);
    this.queue.push(this.t + delay, target, kind, ref);
  }

  /** Schedules at an absolute time, not earlier than now. */
  at(time: number, target: EventTarget, kind: number, ref?: unknown): void {
    this.queue.push(time < this.t ? this.t : time, target, kind, ref);
  }

  stop(): void {
    this.stopped = true;
  }

  get pending(): number {
    return this.queue.size;
  }

  /** Runs until the queue is empty, stop() is called, or the next event lies beyond `until`. */
  run(until = Infinity): void {
    const q = this.queue;
    this.stopped = false;
    while (!this.stopped && q.size > 0) {
      const next = q.headTime();
      if (next > until) {
        this.t = until;
        return;
      }
      this.t = next;
      this.fired++;
      q.popAndFire();
    }
  }
}
