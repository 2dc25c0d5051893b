import { describe, expect, it } from 'vitest';
import { keyedUniform } from '../../src/kernel/rng.js';
import { mserTruncation, SteadyStateRecorder } from '../../src/metrics/steady-state.js';

const noise = (i: number) => keyedUniform(1, i, 0, 0, 1) - 0.5;

describe('mserTruncation', () => {
  it('cuts a linear warm-up ramp off a noisy steady series at the ramp’s end (within one observation)', () => {
    for (const ramp of [5, 12, 20]) {
      const ys = Array.from({ length: 60 }, (_, i) => (i < ramp ? (100 * i) / ramp : 100) + 2 * noise(i));
      expect(Math.abs(mserTruncation(ys) - ramp)).toBeLessThanOrEqual(1);
    }
  });

  it('cuts little or nothing from a series that is steady from the start', () => {
    const ys = Array.from({ length: 40 }, (_, i) => 100 + 5 * noise(i));
    expect(mserTruncation(ys)).toBeLessThanOrEqual(4);
  });

  it('never cuts more than half the series, and skips missing observations', () => {
    const rising = Array.from({ length: 30 }, (_, i) => i);
    expect(mserTruncation(rising)).toBeLessThanOrEqual(15);
    expect(mserTruncation([NaN, 10, NaN, 10, 10, 10])).toBeLessThanOrEqual(3);
  });
});

describe('SteadyStateRecorder', () => {
  it('keeps at most maxSegments segments, merging pairs, and loses no attempt', () => {
    const r = new SteadyStateRecorder(2, 1000, 8);
    for (let t = 0; t < 100_000; t += 10) r.attempt(t % 20 === 0 ? 0 : 1, t, 5);
    r.workflowStarted(100_000);
    expect(r.segmentLength).toBe(16_000); // 1 s doubled until 8 segments cover 100 s
    const w = r.window(0);
    expect(w.histograms[0].totalCount + w.histograms[1].totalCount).toBe((96_000 / 10));
  });

  it('measures from a fixed warm-up to the last segment before the workload stopped starting', () => {
    const r = new SteadyStateRecorder(1, 1000, 32);
    // 1 ms attempts for 10 s, 100 ms attempts from 10 s to 20 s, and a drain of 1 ms attempts after.
    for (let t = 0; t < 30_000; t += 5) r.attempt(0, t, t < 10_000 || t >= 20_000 ? 1 : 100);
    r.workflowStarted(20_000);
    const w = r.window(10_000);
    expect(w.warmup).toBe('fixed');
    expect([w.fromMs, w.toMs]).toEqual([10_000, 20_000]);
    expect(w.histograms[0].getValueAtPercentile(1)).toBeGreaterThan(99_000); // µs: only the 100 ms attempts
    expect(w.drift).toBe(0);
  });

  it('reports drift when the mean latency keeps rising through the window', () => {
    const r = new SteadyStateRecorder(1, 1000, 32);
    for (let t = 0; t < 32_000; t += 5) r.attempt(0, t, 10 + t / 100);
    r.workflowStarted(32_000);
    expect(r.window('auto').drift).toBeGreaterThan(0.5);
  });
});
