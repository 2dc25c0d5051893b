/**
 * Sim vs live (DESIGN.md budget: p50 and p95 per-call latency agree within 5 % on the calibration
 * scenario). The live half is real sockets at time scale 1, so its figure depends on the machine:
 * it is measured here, beside the run's own timer lateness, never asserted in a unit test. It runs
 * in a fresh process like the delay suite, so the other suites' heaps are not what it times.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { calibrateSimLive } from '../run/sim-vs-live.js';
import { loadScenario } from '../scenario/load.js';
import type { BenchResult, BenchSuite } from './types.js';

export interface CalibrationBenchResult {
  calls: number;
  p50Diff: number;
  p95Diff: number;
  latenessP95Ms: number;
}

/** One calibration run (the first policy), in this process. */
export async function benchCalibration(workflows?: number): Promise<CalibrationBenchResult> {
  const sc = loadScenario('scenarios/calibration.yaml');
  const scaled = workflows === undefined ? sc : { ...sc, workload: { ...sc.workload, workflows } };
  const c = await calibrateSimLive(scaled, { timeScale: 1, policies: [sc.policies[0].name], warmup: 10 });
  const row = c.rows[0];
  return { calls: row.calls.live, p50Diff: row.diff.p50, p95Diff: row.diff.p95, latenessP95Ms: c.live.live?.timerLateness?.p95 ?? 0 };
}

async function measure(workflows?: number): Promise<CalibrationBenchResult> {
  if (import.meta.url.endsWith('.ts')) return benchCalibration(workflows);
  const module = new URL('./calibration.js', import.meta.url);
  const code = `const { benchCalibration } = await import(${JSON.stringify(module.href)}); process.stdout.write(JSON.stringify(await benchCalibration(${workflows ?? ''})));`;
  const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', code], { maxBuffer: 1 << 20 });
  return JSON.parse(stdout) as CalibrationBenchResult;
}

export const calibrationSuite: BenchSuite = {
  name: 'calibration',
  run: async (opts) => {
    const r = await measure(opts.quick ? 10 : undefined);
    const pct = (v: number): BenchResult => ({ median: Number((v * 100).toFixed(2)), unit: '%', samples: r.calls });
    return {
      results: { p50Diff: pct(r.p50Diff), p95Diff: pct(r.p95Diff), latenessP95: { median: r.latenessP95Ms, unit: 'ms', samples: 1 } },
      ratios: {},
    };
  },
};
