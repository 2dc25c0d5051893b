/**
 * Storm figures that survive an outage: hand-built series where new calls stop arriving during a
 * fault window while retries of the old ones still go out.
 */
import { describe, expect, it } from 'vitest';
import { stormFigures } from '../../src/run/storm.js';
import { runSim } from '../../src/run/sim.js';
import { scenario } from '../helpers/scenario.js';

describe('stormFigures', () => {
  // Ten 10 s windows of 100 calls offered and 100 attempts, but windows 5 and 6 — the outage —
  // offer 2 calls while 300 attempts (retries) go out.
  const offered = [100, 100, 100, 100, 100, 2, 2, 100, 100, 100];
  const attempts = [100, 100, 100, 100, 100, 300, 300, 120, 100, 100];
  const zeros = offered.map(() => 0);
  const fault = [{ kind: 'outage', label: 'outage relay, 50s–70s', from: 50_000, to: 70_000 }];
  const s = stormFigures({ attempts, offered, completed: zeros, failed: zeros }, 1, 10_000, fault);

  it('takes the attempts ÷ offered ratio only over windows offering at least half the median', () => {
    // The naive ratio would be 300 / 2 = 150× in the outage windows.
    expect(s.minOffered).toBe(50);
    expect(s.peakRatio).toBe(1.2);
    expect(s.windowsAbove2x).toBe(0);
  });

  it('gives the peak attempt rate, when, and against the median rate before the first fault', () => {
    expect(s.peakAttemptsPerSec).toBe(30);
    expect(s.peakAtMs).toBe(50_000);
    // Windows 0–4 end by 50 s: 10 attempts/s each.
    expect(s.baselineAttemptsPerSec).toBe(10);
    expect(s.peakVsBaseline).toBe(3);
  });

  it('reads rates per world when the series sum several replications', () => {
    const twice = (xs: number[]) => xs.map((x) => 2 * x);
    const r = stormFigures({ attempts: twice(attempts), offered: twice(offered), completed: zeros, failed: zeros }, 2, 10_000, fault);
    expect([r.peakAttemptsPerSec, r.baselineAttemptsPerSec, r.peakVsBaseline, r.peakRatio, r.minOffered]).toEqual([30, 10, 3, 1.2, 50]);
  });

  it('takes the baseline over every window when no fault has a window', () => {
    const r = stormFigures({ attempts, offered, completed: zeros, failed: zeros }, 1, 10_000, []);
    expect(r.baselineAttemptsPerSec).toBe(10);
  });

  it('takes a million windows (four months at 10 s: too many to spread into one call)', () => {
    const n = 1_000_000;
    const big = Array.from({ length: n }, (_, i) => (i === n - 1 ? 30 : 10));
    const r = stormFigures({ attempts: big, offered: new Array<number>(n).fill(10), completed: [], failed: [] }, 1, 10_000, []);
    expect([r.windows, r.peakAttemptsPerSec, r.peakAtMs, r.baselineAttemptsPerSec, r.peakRatio, r.windowsAbove2x]).toEqual([n, 3, (n - 1) * 10_000, 1, 3, 1]);
  });
});

describe('a relay outage under agent-layer retries', () => {
  it('keeps the storm ratio near the retries per call, while the attempt peak shows the storm', () => {
    const sc = scenario({
      workload: { model: 'open', arrivalRate: 5, workflows: 1500 },
      workflow: { steps: 5 },
      llm: { latency: { ttft: '500ms', outputTokensPerSec: 1000, prefillTokensPerSec: 1000000 } },
      faults: [{ kind: 'outage', target: 'relay', from: '2m', to: '2m30s' }],
      policies: [{ name: 'naive', timeout: '1s', retry: { maxAttempts: 10, backoff: 'none', layer: 'agent' } }],
    });
    const p = runSim(sc).policies[0];
    const { attempts, offered } = p.storm.series;
    // What v1 printed: the largest ratio over any window that offered a call.
    const naive = Math.max(...attempts.map((a, i) => (offered[i] > 0 ? a / offered[i] : 0)));
    expect(naive).toBeGreaterThan(3 * p.storm.peakRatio!);
    // Each call makes at most 10 tries, so no busy window can carry much more.
    expect(p.storm.peakRatio!).toBeLessThan(10);
    expect(p.storm.peakVsBaseline!).toBeGreaterThan(1);
  });
});
