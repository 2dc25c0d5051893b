/**
 * One simulator measurement in a fresh process, so its peak RSS is its own: loads a scenario,
 * multiplies its workflow count, runs the chosen policies' worlds (after calibration) and prints
 * `{ attempts, ms, events, maxRssMB }` as JSON. Used by the `sim` bench suite.
 *
 *   node dist/bench/sim-child.js <scenario> <scale> [policy] [--warm-up]
 *
 * With `--warm-up`, the same policies first run WARM_UP_WORLDS untimed worlds at (at most) the
 * scenario's own size and other seeds, so the timed worlds run on optimised code: the steady-state
 * rate the design's budget is stated in. A fresh process's first 1× world of the reference takes
 * about 2.5× as long as its third (JIT warm-up), the second about 1.6×. The peak RSS then includes
 * the warm-up worlds.
 */
import { loadScenario } from '../scenario/load.js';
import type { Scenario } from '../scenario/types.js';
import { calibrate, needsCalibration, resolveTimeouts } from '../run/calibrate.js';
import { runWorld } from '../run/world.js';
import { wallClock } from './wall-clock.js';

export interface SimMeasurement {
  attempts: number;
  ms: number;
  events: number;
  maxRssMB: number;
}

/** Untimed worlds per policy before a `--warm-up` measurement. */
export const WARM_UP_WORLDS = 2;

function scaled(sc: Scenario, scale: number): Scenario {
  const wl = sc.workload;
  const times = (n: number | undefined) => (n !== undefined ? Math.round(n * scale) : undefined);
  return { ...sc, workload: { ...wl, workflows: times(wl.workflows), duration: wl.duration !== undefined ? wl.duration * scale : undefined } } as Scenario;
}

/** Runs the chosen policies' worlds of `file` at `scale` × its workflows and times them. */
export function measureSim(file: string, scale: number, policyName?: string, warmUp = false): SimMeasurement {
  const loaded = loadScenario(file);
  const sc = scaled(loaded, scale);
  const policies = policyName ? sc.policies.filter((p) => p.name === policyName) : sc.policies;
  if (policies.length === 0) throw new Error(`sim-child: no policy '${policyName}' in ${file}`);
  if (warmUp) {
    const small = scaled(loaded, Math.min(scale, 1));
    const cal = needsCalibration(policies) ? calibrate(small, small.seed + 1) : undefined;
    for (let i = 1; i <= WARM_UP_WORLDS; i++) {
      for (const p of policies) runWorld(small, p, small.seed + i, resolveTimeouts(small, p, cal)).rec.toRecord(p.name, p.name, 0);
    }
  }
  const t0 = wallClock.now();
  const cal = needsCalibration(policies) ? calibrate(sc, sc.seed) : undefined;
  let attempts = 0;
  let events = 0;
  for (const p of policies) {
    const r = runWorld(sc, p, sc.seed, resolveTimeouts(sc, p, cal));
    r.rec.toRecord(p.name, p.name, 0);
    attempts += r.rec.c.attempts;
    events += r.events;
  }
  const ms = wallClock.now() - t0;
  return { attempts, ms, events, maxRssMB: process.resourceUsage().maxRSS / 1024 };
}

function main(): void {
  const args = process.argv.slice(2);
  const warmUp = args.includes('--warm-up');
  const [file, scaleText, policyName] = args.filter((a) => a !== '--warm-up');
  const out = measureSim(file, Number(scaleText ?? '1'), policyName, warmUp);
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) main();
