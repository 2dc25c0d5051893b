import { describe, expect, it } from 'vitest';
import { fidelityLine, liveFidelity } from '../../src/report/live-fidelity.js';
import type { Summary } from '../../src/report/types.js';
import { fixtureReport } from './fixtures.js';

const overhead = (p50: number, p99: number): Summary => ({ count: 100, mean: p50, p50, p90: p99, p95: p99, p99, p999: p99, max: p99 });

describe('liveFidelity', () => {
  const report = fixtureReport();
  const callP50 = Math.min(...report.policies.map((p) => p.latency['call.completed'].p50!));
  const timeouts = report.scenario.policies.flatMap((p) => Object.values(p.timeouts)).filter((v): v is number => typeof v === 'number' && v > 0);
  const shortest = Math.min(...timeouts);

  it('is faithful while the overhead is within 5 % of a typical call and 10 % of the shortest timeout', () => {
    const f = liveFidelity(report, overhead(0.04 * callP50, 0.09 * shortest), 1);
    expect(f.callShare).toBeCloseTo(0.04, 3);
    expect(f.timeoutShare).toBeCloseTo(0.09, 3);
    expect(f.faithful).toBe(true);
    expect(f.faithfulAtTimeScale).toBeUndefined();
    expect(fidelityLine(f)).toMatch(/faithful to the model/);
  });

  it('names the time scale that would be: the current one times the larger excess', () => {
    // 10 % of a call is twice the limit; 5 % of a timeout is half of its: the call decides, ×2.
    const f = liveFidelity(report, overhead(0.1 * callP50, 0.05 * shortest), 0.05);
    expect(f.faithful).toBe(false);
    expect(f.faithfulAtTimeScale).toBeCloseTo(0.1, 5);
    expect(fidelityLine(f)).toMatch(/NOT faithful.*--time-scale 0\.1 or slower/);
    // Timeouts decide when they are the larger excess: 30 % of the shortest is 3× its limit.
    expect(liveFidelity(report, overhead(0.01 * callP50, 0.3 * shortest), 0.1).faithfulAtTimeScale).toBeCloseTo(0.3, 5);
  });

  it('says so when even real time is not enough', () => {
    expect(fidelityLine(liveFidelity(report, overhead(0.5 * callP50, 0), 1))).toMatch(/even at time scale 1/);
  });

  it('says there is nothing to judge by when no call was answered', () => {
    expect(fidelityLine(liveFidelity(report, { ...overhead(0, 0), count: 0 }, 1))).toMatch(/no answered call/);
  });
});
