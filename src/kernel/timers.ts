/**
 * Timers that all run for the same delay, as a policy's timeouts do: they expire in the order they
 * were armed, so a FIFO ring replaces the event heap. Arming and cancelling are O(1), only the head
 * holds a kernel event, and a cancelled timer drops its reference at once — so an attempt that got
 * its answer is not kept alive for the rest of a 60-second timeout (which, with the heap, promoted
 * every attempt to the old generation and made garbage collection the simulator's main cost).
 */
import type { Kernel } from './kernel.js';
import type { EventTarget } from './queue.js';

export class FixedDelayTimers implements EventTarget {
  private times = new Float64Array(256);
  private targets: (EventTarget | null)[] = new Array(256).fill(null);
  private kinds = new Int32Array(256);
  private refs: unknown[] = new Array(256).fill(undefined);
  private head = 0;
  private tail = 0;
  /** Absolute index of slot 0 in the ring, so handles stay valid as the ring wraps. */
  private base = 0;
  private armed = false;

  constructor(
    private readonly kernel: Kernel,
    readonly delay: number,
  ) {}

  private get capacity(): number {
    return this.times.length;
  }

  /** Arms a timer; returns a handle for `cancel`. */
  add(target: EventTarget, kind: number, ref: unknown): number {
    if (this.tail - this.head === this.capacity) this.grow();
    const i = this.tail % this.capacity;
    this.times[i] = this.kernel.now() + this.delay;
    this.targets[i] = target;
    this.kinds[i] = kind;
    this.refs[i] = ref;
    const handle = this.tail++;
    if (!this.armed) this.arm();
    return handle;
  }

  cancel(handle: number): void {
    if (handle < this.head || handle >= this.tail) return;
    const i = handle % this.capacity;
    this.targets[i] = null;
    this.refs[i] = undefined;
  }

  private arm(): void {
    while (this.head < this.tail && this.targets[this.head % this.capacity] === null) this.head++;
    if (this.head === this.tail) {
      this.armed = false;
      return;
    }
    this.armed = true;
    this.kernel.at(this.times[this.head % this.capacity], this, 0);
  }

  fire(): void {
    const now = this.kernel.now();
    while (this.head < this.tail) {
      const i = this.head % this.capacity;
      if (this.times[i] > now) break;
      const target = this.targets[i];
      const kind = this.kinds[i];
      const ref = this.refs[i];
      this.targets[i] = null;
      this.refs[i] = undefined;
      this.head++;
      if (target) target.fire(kind, ref);
    }
    this.arm();
  }

  private grow(): void {
    const cap = this.capacity;
    const times = new Float64Array(cap * 2);
    const targets: (EventTarget | null)[] = new Array(cap * 2).fill(null);
    const kinds = new Int32Array(cap * 2);
    const refs: unknown[] = new Array(cap * 2).fill(undefined);
    for (let h = this.head; h < this.tail; h++) {
      const from = h % cap;
      const to = h % (cap * 2);
      times[to] = this.times[from];
      targets[to] = this.targets[from];
      kinds[to] = this.kinds[from];
      refs[to] = this.refs[from];
    }
    this.times = times;
    this.targets = targets;
    this.kinds = kinds;
    this.refs = refs;
  }
}
