import { describe, expect, it } from 'vitest';
import { benchDelays } from '../../src/bench/delays-run.js';
import { suites } from '../../src/bench/suites.js';

describe('benchDelays', () => {
  it('measures the lateness of every live timer of a short calibration run, never negative', async () => {
    const r = await benchDelays({ workflows: 3 });
    // 3 workflows × 10 steps: at least an LLM turn, four link delays and a service time per step.
    expect(r.timers).toBeGreaterThanOrEqual(3 * 10 * 5);
    expect(r.p50Ms).toBeGreaterThanOrEqual(0);
    expect(r.p99Ms).toBeGreaterThanOrEqual(r.p50Ms);
    expect(r.maxMs).toBeGreaterThanOrEqual(r.p99Ms);
    // On Linux the kernel says how long the clock's thread waited for a core meanwhile.
    if (process.platform === 'linux') expect(r.runQueueWaitMs).toBeGreaterThanOrEqual(0);
    // The idle baselines time as many timers; errors are never negative.
    for (const b of [r.clockAlone, r.setTimeoutAlone]) {
      expect(b.timers).toBe(r.timers);
      expect(b.p50Ms).toBeGreaterThanOrEqual(0);
      expect(b.maxMs).toBeGreaterThanOrEqual(b.p99Ms);
    }
  });

  it('is registered as the delays bench suite', () => {
    expect(suites.map((s) => s.name)).toContain('delays');
  });
});
