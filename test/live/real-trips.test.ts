// A live world ends "stuck" (every remaining call hangs, no timeout) only when no timer is pending
// and no real request has moved for a while: a request travelling through a loaded relay holds no
// timer, and ending the world then cut live runs short on a busy machine.
import { describe, expect, it } from 'vitest';
import { LiveClock } from '../../src/live/live-clock.js';
import { RealTrips } from '../../src/live/real-trips.js';

describe('RealTrips', () => {
  it('is quiet only after the minimum quiet time, or ten of its slowest trips when longer', () => {
    const trips = new RealTrips();
    const sent = trips.sent();
    expect(trips.quiet(sent + RealTrips.MIN_QUIET_MS - 1)).toBe(false);
    // One ms past the limit, not exactly at it: (t + 1000) − t can be 999.99999… in floating point,
    // which made this line fail for some values of performance.now().
    expect(trips.quiet(sent + RealTrips.MIN_QUIET_MS + 1)).toBe(true);
    // A 300 ms trip: quiet now takes 3 s after the last activity.
    const again = trips.sent();
    while (performance.now() - again < 300);
    trips.settled(again);
    expect(trips.quietAfterMs).toBeGreaterThanOrEqual(3000);
    const last = performance.now();
    expect(trips.quiet(last + 2900)).toBe(false);
    expect(trips.quiet(last + trips.quietAfterMs + 1)).toBe(true);
  });
});

describe('LiveClock.watchStuck', () => {
  it('does not call a world stuck while real traffic is moving, and does once it stops', async () => {
    const clock = new LiveClock();
    let moving = true;
    let stuckAt = -1;
    const started = performance.now();
    clock.watchStuck(() => (stuckAt = performance.now() - started), () => !moving, 10);
    await new Promise((r) => setTimeout(r, 200));
    // No timer pending for 200 ms, but traffic moving: not stuck.
    expect(stuckAt).toBe(-1);
    moving = false;
    // Waits for the verdict rather than a fixed 200 ms, so a stalled event loop cannot fail it.
    for (let i = 0; i < 1000 && stuckAt < 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(stuckAt).toBeGreaterThanOrEqual(200);
    clock.close();
  });
});
