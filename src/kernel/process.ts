/**
 * Processes: generator functions driven by the kernel, SimPy-style. A process yields an effect —
 * a number (sleep that many ms of virtual time) or a `Waitable` (something that resumes it later,
 * such as a group of tool calls) — and is resumed with the effect's result. No promises: the
 * kernel drives everything synchronously, so ordering is the event queue's and nothing else's.
 */
import type { EventTarget } from './queue.js';

/** Whatever runs a generator and can be resumed with an effect's result: the kernel's `Process`, or the live driver. */
export interface Resumable {
  resume(value?: unknown): void;
}

export interface Waitable {
  /** Arrange for `p.resume(value)` to be called once, now or later. */
  await(p: Resumable): void;
}

/** What a process needs of its clock: the time, and a wake-up after a delay (the kernel, or a real-clock scheduler). */
export interface ProcessHost {
  now(): number;
  after(delay: number, target: EventTarget, kind: number, ref?: unknown): void;
}

export type Effect = number | Waitable;

export class Process implements Resumable {
  private running = false;
  private pending: { value: unknown } | undefined;
  done = false;

  constructor(
    private readonly kernel: ProcessHost,
    private readonly gen: Generator<Effect, void, unknown>,
  ) {}

  start(): void {
    this.step(undefined);
  }

  resume(value?: unknown): void {
    if (this.running) {
      // Resumed from inside its own step (a Waitable that was already complete): finish the
      // current step first, then continue with this value.
      this.pending = { value };
      return;
    }
    this.step(value);
  }

  fire(_kind: number, _ref: unknown): void {
    this.step(undefined);
  }

  private step(value: unknown): void {
    let v = value;
    for (;;) {
      this.running = true;
      const r = this.gen.next(v);
      if (r.done) {
        this.running = false;
        this.done = true;
        return;
      }
      const e = r.value;
      if (typeof e === 'number') {
        this.running = false;
        this.kernel.after(e, this, 0);
        return;
      }
      e.await(this);
      this.running = false;
      if (this.pending === undefined) return;
      v = this.pending.value;
      this.pending = undefined;
    }
  }
}
