/**
 * The calibration pass behind percentile timeouts: at the scenario's own load, in its steady state,
 * without the fault windows unless asked, or from `tunnelsim probe`'s samples.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { deriveSeed } from '../../src/kernel/rng.js';
import { newHistogram, type Histogram } from '../../src/metrics/hdr.js';
import { calibrate, calibrationInfo, CALIBRATION_TIMEOUT_MS, NEUTRAL_POLICY, resolveTimeouts } from '../../src/run/calibrate.js';
import { runSim } from '../../src/run/sim.js';
import { runWorld } from '../../src/run/world.js';
import { parseScenario, readScenarioData } from '../../src/scenario/load.js';
import type { Scenario } from '../../src/scenario/types.js';
import { calibrationBlock } from '../../src/report/calibration-view.js';
import { renderMarkdown } from '../../src/report/markdown.js';
import { renderHtml } from '../../src/report/html.js';
import { TunnelsimError } from '../../src/errors.js';
import { scenario } from '../helpers/scenario.js';

function capacityAt(rate: number, duration?: string): Scenario {
  const data = readScenarioData('scenarios/capacity.yaml') as any;
  data.workload.arrivalRate = rate;
  if (duration) data.workload.duration = duration;
  return parseScenario(data, 'scenarios/capacity.yaml');
}

/**
 * A long neutral run measured without the calibration's own window logic: per tool, attempts sent
 * between `fromMs` and the end of the arrivals (the neutral caller, the same seed stream).
 */
function longRunP95(sc: Scenario, fromMs: number): number[] {
  const hs: Histogram[] = sc.tools.map(() => newHistogram());
  const end = sc.workload.duration!;
  const observer = {
    workflowStarted: () => {},
    attempt: (tool: number, sentAt: number, ms: number) => {
      if (sentAt >= fromMs && sentAt < end) hs[tool].recordValue(Math.round(ms * 1000));
    },
  };
  runWorld(sc, NEUTRAL_POLICY, deriveSeed(sc.seed, 'calibration'), sc.tools.map(() => CALIBRATION_TIMEOUT_MS), undefined, undefined, { observer });
  return hs.map((h) => h.getValueAtPercentile(95) / 1000);
}

describe('calibration', () => {
  it('on the capacity scenario at 5.5/s gives each tool’s p95 within 5 % of a long neutral run’s', () => {
    // 5.5/s is past the 32 workers' capacity (≈ 4.8 workflows/s at 221 ms mean service): the relay
    // queue fills for a quarter of an hour before the system settles, so the 10-minute pass is not
    // steady and runs again four times as long. The long run: one hour, its first 20 minutes cut.
    const sc = capacityAt(5.5);
    const cal = calibrationInfo(sc, calibrate(sc, sc.seed));
    expect(cal.window!.extended).toBe(true);
    expect(cal.window!.drift).toBeLessThan(0.1);
    const long = longRunP95(capacityAt(5.5, '60m'), 20 * 60_000);
    sc.tools.forEach((t, i) => expect(Math.abs(cal.tools[t.name].p95 / long[i] - 1)).toBeLessThan(0.05));
  });

  it('keeps a steady pass as it is, and cuts its warm-up', () => {
    const sc = capacityAt(4);
    const cal = calibrationInfo(sc, calibrate(sc, sc.seed));
    expect(cal.window!.extended).toBe(false);
    expect(cal.window!.warmup).toBe('auto');
    expect(cal.window!.fromMs).toBeGreaterThan(0);
    expect(cal.window!.toMs).toBeLessThanOrEqual(600_000);
  });

  it('runs the pass for calibration.duration and cuts a fixed warm-up when one is given', () => {
    const data = readScenarioData('scenarios/capacity.yaml') as any;
    data.calibration = { duration: '20m', warmup: '3m' };
    const sc = parseScenario(data, 'scenarios/capacity.yaml');
    const w = calibrationInfo(sc, calibrate(sc, sc.seed)).window!;
    expect(w.warmup).toBe('fixed');
    // Segments of 64 s by then: the cut rounds up to a segment's start, the end down to one.
    expect(w.fromMs).toBeGreaterThanOrEqual(3 * 60_000);
    expect(w.fromMs).toBeLessThan(3 * 60_000 + 64_000);
    expect(w.toMs).toBeGreaterThan(18 * 60_000);
    expect(w.toMs).toBeLessThanOrEqual(20 * 60_000);
  });

  it('leaves fault windows out by default and keeps them with faults: include', () => {
    const base = {
      workload: { model: 'open', agents: null, workflows: null, arrivalRate: 20, duration: '4m' },
      workflow: { steps: 2 },
      network: { agentToRelay: { latency: '50ms' } },
      faults: [{ kind: 'latency-spike', link: 'agentToRelay', multiplier: 10, from: '1m', to: '3m' }],
      policies: [{ name: 'p', timeout: 'p95x1.5' }],
    };
    const quiet = calibrationInfo(scenario(base), calibrate(scenario(base), 7));
    const loud = calibrationInfo(scenario({ ...base, calibration: { faults: 'include' } }), calibrate(scenario({ ...base, calibration: { faults: 'include' } }), 7));
    // Without the spike: 10 ms service + 2 × 50 ms. With it, half the window's attempts cross 500 ms links.
    expect(quiet.tools.a.p95).toBeCloseTo(110, -1);
    expect(loud.tools.a.p95).toBeGreaterThan(1000);
    expect(quiet.faults).toBe('exclude');
  });

  it('takes probed tools’ percentiles from the probe directory, the others from the neutral pass', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tunnelsim-probe-'));
    const samples = Array.from({ length: 100 }, (_, i) => `${(i + 1) * 10}ms`);
    writeFileSync(join(dir, 'a.latency.txt'), `# tunnelsim probe: a, 100 calls, latency per call\n${samples.join('\n')}\n`);
    const sc = scenario({
      workflow: { steps: 2, tools: ['a', 'b'] },
      server: { tools: { a: { service: '10ms' }, b: { service: '20ms' } } },
      calibration: { probe: dir },
      policies: [{ name: 'p', timeout: 'p95x2' }],
    });
    const c = calibrate(sc, 7);
    const info = calibrationInfo(sc, c);
    expect(info.tools.a).toMatchObject({ source: 'probe', count: 100 });
    expect(info.tools.a.p95).toBeCloseTo(950, -1);
    expect(info.tools.b.source).toBe('sim');
    expect(info.tools.b.p95).toBeCloseTo(20, 0);
    expect(resolveTimeouts(sc, sc.policies[0], c)[0]).toBeCloseTo(2 * 950, -1);
  });

  it('refuses a probe directory that is missing or holds no file for the scenario’s tools', () => {
    const bad = (probe: string) => {
      try {
        scenario({ calibration: { probe } });
      } catch (err) {
        return err as TunnelsimError;
      }
      throw new Error('accepted');
    };
    expect(bad('/nonexistent/probe').field).toBe('calibration.probe');
    const dir = mkdtempSync(join(tmpdir(), 'tunnelsim-probe-'));
    writeFileSync(join(dir, 'other.latency.txt'), '5ms\n');
    expect(bad(dir).message).toMatch(/no file for any of the scenario's tools \(expected one of a\.latency\.txt\)/);
  });

  it('prints each tool’s p50/p95/p99 and every policy’s resolved timeout in every format', () => {
    const sc = scenario({
      workflow: { steps: 2, tools: ['a', 'b'] },
      server: { tools: { a: { service: '10ms' }, b: { service: '20ms' } } },
      policies: [
        { name: 'rule', timeout: 'p95x1.5' },
        { name: 'fixed', timeout: '2s' },
      ],
    });
    const report = runSim(sc);
    const cal = report.scenario.calibration!;
    const block = calibrationBlock(report);
    expect(block).toMatch(/^timeouts per tool; percentiles from a neutral pass/);
    expect(block).toMatch(/tool\s+attempts\s+p50\s+p95\s+p99\s+rule\s+fixed/);
    expect(block).toMatch(new RegExp(`\\nb\\s+[\\d,]+\\s+20ms\\s+20ms\\s+20ms\\s+30ms\\s+2s`));
    expect(cal.tools.b.p95).toBeCloseTo(20, 1);
    const md = renderMarkdown(report, [], 'x');
    expect(md).toMatch(/## Timeouts[\s\S]*\| tool \| attempts \| p50 \| p95 \| p99 \| rule \| fixed \|[\s\S]*\| b \| [\d,]+ \| 20ms \| 20ms \| 20ms \| 30ms \| 2s \|/);
    const html = renderHtml(report, []);
    expect(html).toMatch(/<h2>Timeouts<\/h2>[\s\S]*<td>b<\/td><td>[\d,]+<\/td><td>20ms<\/td><td>20ms<\/td><td>20ms<\/td><td>30ms<\/td><td>2s<\/td>/);
  });
});
