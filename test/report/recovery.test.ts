import { describe, expect, it } from 'vitest';
import type { CallTimeline } from '../../src/report/incident-types.js';
import { recoveryFigures } from '../../src/report/recovery.js';

/** A 10 s-window series: `ok` successful calls per window, one workflow start per window up to `arrivals`. */
function series(ok: number[], arrivals = ok.length, wasted = ok.map(() => 0)): CallTimeline {
  return {
    windowMs: 10_000,
    worlds: 1,
    okCalls: ok,
    started: ok.map((_, i) => (i < arrivals ? 1 : 0)),
    completed: ok.map(() => 1),
    failed: ok.map((x) => (x < 50 ? 2 : 0)),
    wastedDollars: wasted,
    wastedTokens: wasted.map((d) => d * 1000),
  };
}

const window = { fault: 0, kind: 'slow', fromMs: 100_000, toMs: 120_000 };

describe('recoveryFigures', () => {
  it('finds successful calls before (second half of the run-up), during and after, and when it came back to stay', () => {
    // 10 windows at 100/window, the fault at windows 10–11 (0), two more at 50, then 100 again.
    const ok = [...Array(10).fill(100), 0, 0, 50, 50, ...Array(10).fill(100)];
    const [r] = recoveryFigures(series(ok), [window]);
    expect(r.successfulCalls.before).toBe(10);
    expect(r.successfulCalls.during).toBe(0);
    expect(r.successfulCalls.after).toBeCloseTo((50 * 2 + 100 * 10) / 120, 4);
    // Back at window 14 (140 s), 20 s after the window's end, and it stays for 3 windows.
    expect(r.recoveredAfterMs).toBe(20_000);
    expect(r.incident).toMatchObject({ fromMs: 100_000, toMs: 140_000, lostCalls: 100 + 100 + 50 + 50, workflowsFailed: 2 * 2 });
    expect(r.horizonMs).toBe(240_000);
  });

  it('says null when successful calls never comes back before the arrivals end, and prices the incident to the horizon', () => {
    const ok = [...Array(10).fill(100), ...Array(14).fill(5)];
    const wasted = ok.map((_, i) => (i < 10 ? 0.5 : 3));
    const [r] = recoveryFigures(series(ok, 20, wasted), [window]);
    expect(r.recoveredAfterMs).toBeNull();
    // The horizon is the end of the arrivals (window 20), not the drain after it.
    expect(r.horizonMs).toBe(200_000);
    expect(r.incident.toMs).toBe(200_000);
    expect(r.incident.wasted.dollars).toBeCloseTo(10 * 3, 6);
    expect(r.incident.wastedAtBaselineRate.dollars).toBeCloseTo(10 * 0.5, 6);
  });

  it('needs successful calls back for three windows in a row: one good window is not a recovery', () => {
    const ok = [...Array(10).fill(100), 0, 0, 100, 10, 100, 100, 100, ...Array(5).fill(100)];
    const [r] = recoveryFigures(series(ok), [window]);
    expect(r.recoveredAfterMs).toBe(20_000); // windows 14, 15, 16; not 12
  });

  it('stops each window’s search at the next window’s start', () => {
    const ok = [...Array(10).fill(100), 0, 0, 0, 0, 0, 100, 100, 100, 100, 100];
    const rs = recoveryFigures(series(ok), [window, { fault: 1, kind: 'outage', fromMs: 140_000, toMs: 150_000 }]);
    expect(rs[0].recoveredAfterMs).toBeNull();
    expect(rs[0].horizonMs).toBe(140_000);
    expect(rs[1].recoveredAfterMs).toBe(0);
  });
});
