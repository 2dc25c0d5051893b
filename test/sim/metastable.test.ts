/**
 * A metastable failure, reproduced and measured on scenarios/metastable.yaml: open-loop load at
 * three quarters of capacity, a trigger (the server at two-thirds speed for a while), an amplifier
 * (a 1 s timeout, ten immediate unbudgeted retries, work the server still does for callers that
 * left). Below an edge in the trigger's length the system recovers when the trigger ends; past it
 * the retry storm sustains itself to the end of the run — the same load, two outcomes, decided by
 * history (Huang et al., OSDI '22, found a 10 s vs 9 s edge of this kind in MongoDB). The test
 * finds the edge by bisection rather than copying it from a run, and checks why the storm
 * sustains itself by a closed form: in the degraded state every new workflow's first call times
 * out ten times, so attempts arrive at k·Λ = 10 × 12.8/s = 128/s, past the 8 workers' capacity
 * c ÷ E[S] ≈ 84.5/s, and the queue never drains. Mitigations recover from either side of the edge.
 */
import { describe, expect, it } from 'vitest';
import { runSim } from '../../src/run/sim.js';
import type { PolicyReport } from '../../src/report/types.js';
import { parseScenario, readScenarioData } from '../../src/scenario/load.js';

const FILE = 'scenarios/metastable.yaml';
const shipped = readScenarioData(FILE) as any;
const TRIGGER_FROM_S = 300;

function run(triggerS: number, policies?: string[]): Record<string, PolicyReport> {
  const data = structuredClone(shipped);
  data.faults[0].to = `${TRIGGER_FROM_S + triggerS}s`;
  // One world: the edge is a property of one run's history (replications would average runs on
  // either side of it).
  const r = runSim(parseScenario(data, FILE), { policies, replications: 1 });
  return Object.fromEntries(r.policies.map((p) => [p.name, p]));
}

const degraded = (p: PolicyReport) => p.recovery![0].recoveredAfterMs === null;

describe('the metastable scenario', () => {
  const lognormalMean = (median: number, p99: number) => median * Math.exp(((Math.log(p99 / median) / 2.3263478740408408) ** 2) / 2);
  const capacity = 8 / (lognormalMean(85, 250) / 1000); // calls per second the 8 workers serve
  const k = 10;
  const arrivalRate = 12.8;

  // The edge: the shortest trigger (whole seconds) that leaves the unbudgeted policy degraded.
  let lo = 2;
  let hi = 60;
  const edge = () => {
    expect(degraded(run(lo, ['retry-storm'])['retry-storm'])).toBe(false);
    expect(degraded(run(hi, ['retry-storm'])['retry-storm'])).toBe(true);
    while (hi - lo > 1) {
      const mid = Math.floor((lo + hi) / 2);
      if (degraded(run(mid, ['retry-storm'])['retry-storm'])) hi = mid;
      else lo = mid;
    }
  };

  it('recovers from a trigger just under the edge, and stays degraded to the end after one just over it', () => {
    edge();
    const short = run(lo);
    const long = run(hi);
    const s = short['retry-storm'].recovery![0];
    const l = long['retry-storm'].recovery![0];
    expect(s.successfulCalls.after).toBeGreaterThan(0.9 * s.successfulCalls.before);
    // Degraded to the end: successful calls stay under a tenth of its level before, in every window up to the arrivals' end.
    const g = long['retry-storm'].timeline!;
    const endWindow = l.horizonMs / g.windowMs;
    for (let i = Math.ceil(l.toMs / g.windowMs) + 3; i < endWindow; i++) expect(g.okCalls[i] / (g.windowMs / 1000)).toBeLessThan(0.1 * l.successfulCalls.before);
    expect(l.horizonMs).toBe(15 * 60_000);
    // The storm outlives its trigger by far more than the trigger lasted.
    expect(l.incident.toMs - l.toMs).toBeGreaterThan(30 * hi * 1000);
    // The shipped scenario's trigger (15 s) is past the edge: it shows the storm.
    expect(Number(String(shipped.faults[0].to).replace(/^5m(\d+)s$/, '$1'))).toBeGreaterThanOrEqual(hi);

    // Why it sustains itself: attempts arrive at k·Λ once degraded, more than the server can serve.
    const storm = long['retry-storm'].storm;
    const from = Math.ceil((l.toMs + 60_000) / storm.windowMs);
    const to = endWindow;
    const attempts = storm.series.attempts.slice(from, to).reduce((a, b) => a + b, 0) / (((to - from) * storm.windowMs) / 1000);
    expect(Math.abs(attempts / (k * arrivalRate) - 1)).toBeLessThan(0.05);
    expect(k * arrivalRate).toBeGreaterThan(1.4 * capacity);

    // A budget, relay shedding, an adaptive limit — and no retries at all — recover from both.
    for (const r of [short, long]) {
      for (const name of ['sdk-default', 'retry-budget', 'relay-shedding', 'adaptive-limit']) {
        const rec = r[name].recovery![0];
        expect(rec.recoveredAfterMs, `${name}`).not.toBeNull();
        expect(rec.recoveredAfterMs!).toBeLessThan(60_000);
        expect(rec.successfulCalls.after).toBeGreaterThan(0.9 * rec.successfulCalls.before);
      }
    }
    // What the lost time cost: the storm's incident wasted more than any mitigation's, many times over.
    const wasted = (name: string) => long[name].recovery![0].incident.wasted.dollars;
    for (const name of ['retry-budget', 'relay-shedding', 'adaptive-limit']) expect(wasted('retry-storm')).toBeGreaterThan(10 * wasted(name));
    expect(long['relay-shedding'].calls.shedByRelay).toBeGreaterThan(0);
    expect(long['adaptive-limit'].calls.limitRejected).toBeGreaterThan(0);
    expect(long['retry-budget'].calls.budgetExhausted).toBeGreaterThan(0);
  });
});
