/**
 * The live driver of the runner's generators: the same workflow code the kernel runs, with real
 * awaits. A yielded number sleeps that many scenario ms on the live clock; a yielded `Waitable`
 * (a group of tool calls) is awaited until it resumes this process — which may happen at once,
 * inside `await`, when the group is already complete.
 */
import type { Effect, Resumable } from '../kernel/process.js';
import type { LiveClock } from './live-clock.js';

export class LiveProcess implements Resumable {
  private wake: ((value: unknown) => void) | undefined;

  constructor(
    private readonly clock: LiveClock,
    private readonly gen: Generator<Effect, void, unknown>,
  ) {}

  resume(value?: unknown): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.(value);
  }

  async run(): Promise<void> {
    let v: unknown = undefined;
    for (;;) {
      const r = this.gen.next(v);
      if (r.done) return;
      const e = r.value;
      if (typeof e === 'number') {
        await this.clock.sleep(e);
        v = undefined;
      } else {
        v = await new Promise<unknown>((resolve) => {
          this.wake = resolve;
          e.await(this);
        });
      }
    }
  }
}
