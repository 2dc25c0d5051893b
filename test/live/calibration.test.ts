// The simulator checked against reality on real sockets (loopback, time scale 1). The DESIGN.md
// budget — p50 and p95 per-call latency within 5 % — is a benchmark figure (`bench --suite
// calibration`); here the tolerance is the 5 % plus what this run measured the machine adding (its
// own timer lateness, run/sim-vs-live.ts `allowedDiff`), so a busy machine cannot fail the test and
// a modelling error still does.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { stringify } from 'yaml';
import { main } from '../../src/cli/main.js';
import { allowedDiff, calibrateSimLive, calibrationTable } from '../../src/run/sim-vs-live.js';
import { loadScenario, readScenarioData } from '../../src/scenario/load.js';

describe('calibrateSimLive', () => {
  it('agrees with the simulator within 5 % plus the run\'s own timer lateness at p50 and p95 per-call latency on scenarios/calibration.yaml', async () => {
    const sc = loadScenario('scenarios/calibration.yaml');
    const c = await calibrateSimLive(sc, { timeScale: 1, policies: ['sdk-default'] });
    const table = calibrationTable(c.rows);
    expect(c.rows).toHaveLength(1);
    const row = c.rows[0];
    expect(row.calls.live).toBe(row.calls.sim);
    const late = c.live.live!.timerLateness!;
    const why = `${table}\ntimer lateness p95 ${late.p95} ms over ${late.count} timers`;
    expect(late.count).toBeGreaterThan(0);
    expect(Math.abs(row.diff.p50), why).toBeLessThanOrEqual(allowedDiff(row.sim.p50, c.live));
    expect(Math.abs(row.diff.p95), why).toBeLessThanOrEqual(allowedDiff(row.sim.p95, c.live));
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
