/**
 * The real clock of live mode, reading in scenario time.
 *
 * How it works: `now()` is wall time since the clock started divided by the time scale k, so a
 * scenario duration d waits d · k of wall time and every figure the recorder takes reads in
 * scenario time again (`--time-scale 0.05` runs a scenario 20× faster and reports it as if it ran
 * at full length). Timers are precise to well under a millisecond: a `setTimeout` wakes the clock
 * `spinMs` early (Node's timers fire late by up to a millisecond and more under load), and the rest
 * is waited in one shared `setImmediate` loop that polls `performance.now()` between I/O turns, so
 * sockets are still served while a timer is about to fire. A timer never fires early. Between
 * deadlines the clock runs young-generation GCs itself (idle-gc.ts), so fewer of V8's own land
 * while a timer is due.
 */
import type { ProcessHost } from '../kernel/process.js';
import type { EventTarget } from '../kernel/queue.js';
import type { Scheduler, Timers } from '../policy/caller.js';
import { IdleCollector } from './idle-gc.js';

export interface LiveClockOptions {
  /** Wall time per unit of scenario time: 0.05 runs 20× faster. @default 1 */
  timeScale: number;
  /** Wall ms before a deadline at which a timer stops sleeping and polls. @default 1.5 */
  spinMs: number;
  /** Told how late (wall ms) each timer fired: the injected-delay accuracy benchmark. @default undefined */
  observe?: (lateMs: number) => void;
  /** Scavenge in the gaps between deadlines (idle-gc.ts). @default true */
  idleGc: boolean;
}

/** The longest delay setTimeout takes. */
const MAX_TIMEOUT = 2 ** 31 - 1;

export const DEFAULT_LIVE_CLOCK: LiveClockOptions = { timeScale: 1, spinMs: 1.5, idleGc: true };

/** How often the clock looks for a gap to collect in, wall ms. */
const IDLE_CHECK_MS = 1;

/** A pending timer; `cancel` it with `LiveClock.cancel`. */
export interface TimerHandle {
  /** Wall deadline, performance.now() ms. */
  readonly at: number;
  fn: (() => void) | undefined;
  timeout: NodeJS.Timeout | undefined;
}

export class LiveClock implements Scheduler, ProcessHost {
  readonly timeScale: number;
  private readonly spinMs: number;
  private readonly observe: ((lateMs: number) => void) | undefined;
  private t0 = performance.now();
  private readonly sleeping = new Set<TimerHandle>();
  private readonly spinning = new Set<TimerHandle>();
  private spin: NodeJS.Immediate | undefined;
  /** The pass's timers (poll), kept to spare an allocation per pass while spinning. */
  private readonly batch: TimerHandle[] = [];
  private watch: NodeJS.Timeout | undefined;
  private readonly collector: IdleCollector | undefined;
  private idleCheck: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(options: Partial<LiveClockOptions> = {}) {
    const o = { ...DEFAULT_LIVE_CLOCK, ...options };
    if (!(o.timeScale > 0 && Number.isFinite(o.timeScale))) throw new RangeError(`timeScale must be > 0, got ${o.timeScale}`);
    if (!(o.spinMs >= 0)) throw new RangeError(`spinMs must be ≥ 0, got ${o.spinMs}`);
    this.timeScale = o.timeScale;
    this.spinMs = o.spinMs;
    this.observe = o.observe;
    if (o.idleGc) {
      this.collector = new IdleCollector();
      if (this.collector.available) this.idleCheck = setInterval(this.collectIfIdle, IDLE_CHECK_MS).unref();
    }
  }

  /** Young-generation collections the clock ran between deadlines. */
  get idleCollections(): number {
    return this.collector?.collections ?? 0;
  }

  /** Restarts scenario time at 0 (call once the system is up, before the workload starts). */
  reset(): void {
    this.t0 = performance.now();
  }

  /** Scenario time 0 as an absolute timestamp (ms since the epoch), comparable across threads. */
  get origin(): number {
    return performance.timeOrigin + this.t0;
  }

  /** Starts scenario time at an absolute timestamp from another thread's clock (`origin`). */
  set origin(at: number) {
    this.t0 = at - performance.timeOrigin;
  }

  /** Scenario ms since the clock started. */
  now(): number {
    return (performance.now() - this.t0) / this.timeScale;
  }

  /** Runs `fn` after `delay` scenario ms. */
  schedule(delay: number, fn: () => void): TimerHandle {
    const h: TimerHandle = { at: performance.now() + Math.max(0, delay) * this.timeScale, fn, timeout: undefined };
    if (this.closed) {
      h.fn = undefined;
      return h;
    }
    this.park(h);
    return h;
  }

  cancel(h: TimerHandle): void {
    h.fn = undefined;
    if (h.timeout) clearTimeout(h.timeout);
    h.timeout = undefined;
    this.sleeping.delete(h);
    this.spinning.delete(h);
  }

  /** The caller's and the process's timer seam: `target.fire(kind, ref)` after `delay` scenario ms. */
  after(delay: number, target: EventTarget, kind: number, ref?: unknown): void {
    this.schedule(delay, () => target.fire(kind, ref));
  }

  /** Resolves after `delay` scenario ms (never, once the clock is closed). */
  sleep(delay: number): Promise<void> {
    return new Promise((resolve) => this.schedule(delay, resolve));
  }

  /**
   * Calls `stuck` once when no timer has been pending for two checks in a row (`everyMs` wall ms
   * apart): nothing can happen any more, as when the simulator's event queue runs dry — e.g. every
   * remaining call hangs and the policy has no timeout. Real requests in flight always hold a timer
   * on this clock within a millisecond (a link delay, a service time, a delivery), so a busy world
   * is never taken for a stuck one. A request inside the real stack holds no timer while it travels,
   * so `quiet` (real-trips.ts) must say that no real traffic has moved for a while as well.
   */
  watchStuck(stuck: () => void, quiet: () => boolean = () => true, everyMs = 100): void {
    let idleChecks = 0;
    this.watch = setInterval(() => {
      idleChecks = this.pending === 0 && quiet() ? idleChecks + 1 : 0;
      if (idleChecks < 2) return;
      clearInterval(this.watch);
      this.watch = undefined;
      stuck();
    }, everyMs);
  }

  /** Drops every pending timer; nothing scheduled afterwards fires. */
  close(): void {
    if (this.watch) clearInterval(this.watch);
    this.watch = undefined;
    if (this.idleCheck) clearInterval(this.idleCheck);
    this.idleCheck = undefined;
    this.closed = true;
    for (const h of [...this.sleeping, ...this.spinning]) this.cancel(h);
    if (this.spin) clearImmediate(this.spin);
    this.spin = undefined;
  }

  get pending(): number {
    return this.sleeping.size + this.spinning.size;
  }

  private park(h: TimerHandle): void {
    const wait = h.at - performance.now() - this.spinMs;
    if (wait > 1) {
      this.sleeping.add(h);
      // setTimeout overflows past 2^31 − 1 ms (it would fire at once): sleep in chunks, re-parking.
      h.timeout = setTimeout(
        () => {
          h.timeout = undefined;
          this.sleeping.delete(h);
          if (h.fn) this.park(h);
        },
        Math.min(wait, MAX_TIMEOUT),
      );
      return;
    }
    this.spinning.add(h);
    if (!this.spin) this.spin = setImmediate(this.poll);
  }

  private readonly collectIfIdle = (): void => {
    if (this.spinning.size > 0 || !this.collector) return;
    let next = Infinity;
    for (const h of this.sleeping) if (h.at < next) next = h.at;
    // The margin covers the spin window: a timer wakes spinMs before its deadline.
    this.collector.maybeCollect(next - performance.now(), this.spinMs + 0.5);
  };

  private readonly poll = (): void => {
    this.spin = undefined;
    // The timers waiting when the pass starts; one a callback schedules meanwhile waits for the next
    // pass, so a chain of zero delays cannot hold the loop from its I/O.
    const batch = this.batch;
    batch.length = 0;
    for (const h of this.spinning) batch.push(h);
    for (;;) {
      // Earliest deadline first, so timers fire in deadline order even when the thread loses its
      // core between two of them. The clock is read per timer: an earlier timer's callback in this
      // pass takes time too, and a timer it makes late is measured late (and one that came due
      // meanwhile fires now).
      let first = -1;
      for (let i = 0; i < batch.length; i++) if (this.spinning.has(batch[i]) && (first < 0 || batch[i].at < batch[first].at)) first = i;
      if (first < 0) break;
      const h = batch[first];
      const now = performance.now();
      if (h.at > now) break;
      batch[first] = batch[batch.length - 1];
      batch.pop();
      this.spinning.delete(h);
      const fn = h.fn;
      h.fn = undefined;
      if (fn && this.observe) this.observe(now - h.at);
      fn?.();
    }
    batch.length = 0;
    if (this.spinning.size > 0 && !this.closed && !this.spin) this.spin = setImmediate(this.poll);
  };
}

/** The caller's fixed-delay timeout timers on the real clock. */
export class LiveTimers implements Timers {
  private readonly handles = new Map<number, TimerHandle>();
  private next = 0;

  constructor(
    private readonly clock: LiveClock,
    readonly delay: number,
  ) {}

  add(target: EventTarget, kind: number, ref: unknown): number {
    const id = this.next++;
    this.handles.set(
      id,
      this.clock.schedule(this.delay, () => {
        this.handles.delete(id);
        target.fire(kind, ref);
      }),
    );
    return id;
  }

  cancel(handle: number): void {
    const h = this.handles.get(handle);
    if (!h) return;
    this.handles.delete(handle);
    this.clock.cancel(h);
  }
}
