// The simulator checked against reality (DESIGN.md budget: p50 and p95 per-call latency agree
// within 5 % on the calibration scenario). The live run is real sockets on loopback at time scale 1.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { stringify } from 'yaml';
import { main } from '../../src/cli/main.js';
import { calibrateSimLive, calibrationTable } from '../../src/run/sim-vs-live.js';
import { loadScenario, readScenarioData } from '../../src/scenario/load.js';

const TOLERANCE = 0.05;
/** Timers on a call's path in live mode: four one-way link delays and the service time. */
const TIMERS_PER_CALL = 5;

describe('calibrateSimLive', () => {
  it('agrees with the simulator within 5 % (plus the run’s own timer lateness) at p50 and p95 per-call latency on scenarios/calibration.yaml', async () => {
    const sc = loadScenario('scenarios/calibration.yaml');
    const c = await calibrateSimLive(sc, { timeScale: 1, policies: ['sdk-default'] });
    const table = calibrationTable(c.rows);
    expect(c.rows).toHaveLength(1);
    const row = c.rows[0];
    expect(row.calls.live).toBe(row.calls.sim);
    // The budget is 5 %; on a busy machine real timers fire late, and each of a call's timers adds
    // its lateness. The allowance is this run's own measured lateness (p50), never a guess, and it
    // is a fraction of a percent on a quiet machine.
    const late = c.live.live!.timerLateness!.p50;
    const allow = (q: 'p50' | 'p95') => TOLERANCE + (TIMERS_PER_CALL * late) / row.sim[q];
    const why = `${table}\ntimer lateness p50 ${late} ms`;
    expect(Math.abs(row.diff.p50), why).toBeLessThanOrEqual(allow('p50'));
    expect(Math.abs(row.diff.p95), why).toBeLessThanOrEqual(allow('p95'));
    // Real sockets only ever add time: live is never faster than the model at the median.
    expect(row.live.p50).toBeGreaterThanOrEqual(row.sim.p50);
  });

  it('prints the table and, beneath it, how late the live half\'s timers fired', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tunnelsim-cal-'));
    const data = readScenarioData('scenarios/calibration.yaml') as Record<string, any>;
    data.workload.workflows = 3;
    data.workflow.steps = 2;
    await writeFile(join(dir, 'tiny.yaml'), stringify(data));
    let out = '';
    const o = vi.spyOn(process.stdout, 'write').mockImplementation((s) => ((out += String(s)), true));
    try {
      expect(await main(['calibrate', join(dir, 'tiny.yaml'), '--time-scale', '0.2', '--policy', 'sdk-default'])).toBe(0);
    } finally {
      o.mockRestore();
      await rm(dir, { recursive: true, force: true });
    }
    const lines = out.trim().split('\n');
    expect(lines[2]).toMatch(/^sdk-default\s+6\s/);
    // 3 workflows × 2 calls: each call waits at least four link delays and a service time.
    const m = /^delay accuracy: (\d+) timers fired late by p50 [\d.]+ ms, p99 [\d.]+ ms, max [\d.]+ ms \(normal priority/.exec(lines[3]);
    expect(m, out).not.toBeNull();
    expect(Number(m![1])).toBeGreaterThanOrEqual(6 * 5);
  });
});
