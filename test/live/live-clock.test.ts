import v8 from 'node:v8';
import { describe, expect, it } from 'vitest';
import type { Effect, Resumable, Waitable } from '../../src/kernel/process.js';
import { LiveClock, LiveTimers } from '../../src/live/live-clock.js';
import { LiveProcess } from '../../src/live/live-process.js';
import { IdleCollector } from '../../src/live/idle-gc.js';

describe('LiveClock', () => {
  it('never fires a timer before its deadline, in scenario time', async () => {
    const clock = new LiveClock({ timeScale: 0.5 });
    const early: number[] = [];
    await Promise.all(
      [0, 3, 10, 25].map(
        (d) =>
          new Promise<void>((resolve) => {
            const due = clock.now() + d;
            clock.schedule(d, () => {
              early.push(due - clock.now());
              resolve();
            });
          }),
      ),
    );
    clock.close();
    expect(early).toHaveLength(4);
    for (const e of early) expect(e).toBeLessThanOrEqual(1e-9);
  });

  it('runs wall time at the time scale: 200 scenario ms at 0.1 take 20 wall ms, not 200', async () => {
    let late = 0;
    const clock = new LiveClock({ timeScale: 0.1, observe: (ms) => (late = ms) });
    const start = performance.now();
    await clock.sleep(200);
    const wall = performance.now() - start;
    clock.close();
    expect(wall).toBeGreaterThanOrEqual(20);
    // What a busy machine added is this timer's own lateness, measured as it fired; take it out.
    expect(wall - late).toBeLessThan(200);
  });

  it('drops a cancelled timer and every timer once closed', async () => {
    const clock = new LiveClock();
    const fired: string[] = [];
    const timers = new LiveTimers(clock, 5);
    const h = timers.add({ fire: () => fired.push('cancelled') }, 0, undefined);
    timers.add({ fire: () => fired.push('kept') }, 0, undefined);
    timers.cancel(h);
    await clock.sleep(6);
    // Set and closed in one synchronous turn, so however late this thread runs, the timer is still
    // pending when the clock closes; it must never fire.
    clock.schedule(1, () => fired.push('closed'));
    expect(clock.pending).toBe(1);
    clock.close();
    await new Promise((r) => setTimeout(r, 10));
    expect(fired).toEqual(['kept']);
    expect(clock.pending).toBe(0);
  });

  it('fires the timers due in one pass in deadline order, not in the order they were set', async () => {
    const clock = new LiveClock();
    const fired: string[] = [];
    clock.schedule(2, () => fired.push('second'));
    clock.schedule(1, () => fired.push('first'));
    // Hold the thread past both deadlines, so one pass finds both due.
    const until = performance.now() + 4;
    while (performance.now() < until);
    await clock.sleep(1);
    clock.close();
    expect(fired).toEqual(['first', 'second']);
  });

  it('lets I/O and other timers run between zero delays that a timer keeps scheduling', async () => {
    const clock = new LiveClock();
    const LIMIT = 100_000;
    let stop = false;
    let n = 0;
    const again = () => {
      n++;
      if (!stop && n < LIMIT) clock.schedule(0, again);
    };
    clock.schedule(0, again);
    // Served in one pass, the whole chain would run before this setTimeout could.
    await new Promise((r) => setTimeout(r, 5));
    stop = true;
    clock.close();
    expect(n).toBeGreaterThan(1);
    expect(n).toBeLessThan(LIMIT);
  });

  it('does not fire a timer longer than setTimeout can hold at once', async () => {
    const clock = new LiveClock();
    let fired = false;
    clock.schedule(3e9, () => (fired = true));
    await new Promise((r) => setTimeout(r, 20));
    expect(fired).toBe(false);
    expect(clock.pending).toBe(1);
    clock.close();
  });

  it('rejects a time scale that is not positive', () => {
    expect(() => new LiveClock({ timeScale: 0 })).toThrow(RangeError);
  });
});

describe('LiveProcess', () => {
  it('drives a generator through sleeps and waitables, resumed at once or later', async () => {
    const clock = new LiveClock();
    const now: Waitable = { await: (p: Resumable) => p.resume('now') };
    const later: Waitable = { await: (p: Resumable) => void clock.schedule(3, () => p.resume('later')) };
    const seen: unknown[] = [];
    function* gen(): Generator<Effect, void, unknown> {
      yield 2;
      seen.push(yield now);
      seen.push(yield later);
      yield 0;
      seen.push('done');
    }
    await new LiveProcess(clock, gen()).run();
    clock.close();
    expect(seen).toEqual(['now', 'later', 'done']);
  });
});

describe('IdleCollector', () => {
  /** Fills part of the young generation with short-lived garbage. */
  function allocate(): void {
    let keep: object[] = [];
    for (let i = 0; i < 200_000; i++) {
      keep.push({ i });
      if (keep.length > 50_000) keep = [];
    }
  }

  /** Allocates until the young generation is at least half full (a scavenge meanwhile just restarts the count). */
  function fillNursery(): void {
    const fill = () => {
      const young = v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')!;
      return young.space_used_size / (young.space_used_size + young.space_available_size);
    };
    let keep: object[] = [];
    while (fill() < 0.5) {
      for (let i = 0; i < 10_000; i++) keep.push({ i });
      if (keep.length > 50_000) keep = [];
    }
  }

  it('scavenges only in a gap longer than two pauses and the margin, and only with a filled nursery', () => {
    const c = new IdleCollector();
    expect(c.available).toBe(true);
    fillNursery();
    // The next deadline is too close: nothing runs, however full the nursery.
    expect(c.maybeCollect(1, 1.5)).toBe(false);
    expect(c.collections).toBe(0);
    expect(c.maybeCollect(50, 1.5)).toBe(true);
    expect(c.collections).toBe(1);
    // Right after a scavenge the nursery is nearly empty: no second one.
    expect(c.maybeCollect(50, 1.5)).toBe(false);
    expect(c.collections).toBe(1);
  });

  it('runs in a live clock’s gaps while timers keep firing on time', async () => {
    const clock = new LiveClock();
    const late: number[] = [];
    const spin = setInterval(allocate, 5);
    try {
      for (let i = 0; i < 20; i++) {
        await new Promise<void>((resolve) => {
          const at = clock.now() + 20;
          clock.schedule(20, () => {
            late.push(clock.now() - at);
            resolve();
          });
        });
      }
    } finally {
      clearInterval(spin);
      clock.close();
    }
    expect(clock.idleCollections).toBeGreaterThan(0);
    expect(Math.min(...late)).toBeGreaterThanOrEqual(0);
  });
});
