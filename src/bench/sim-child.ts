/**
 * One simulator measurement in a fresh process, so its peak RSS is its own: loads a scenario,
 * multiplies its workflow count, runs the chosen policies' worlds (after calibration) and prints
 * `{ attempts, ms, events, maxRssMB }` as JSON. Used by the `sim` bench suite.
 *
 *   node dist/bench/sim-child.js <scenario> <scale> [policy]
 */
import { loadScenario } from '../scenario/load.js';
import { calibrate, needsCalibration, resolveTimeouts } from '../run/calibrate.js';
import { runWorld } from '../run/world.js';
import { wallClock } from './wall-clock.js';

export interface SimMeasurement {
  attempts: number;
  ms: number;
  events: number;
  maxRssMB: number;
}

function main(): void {
  const [file, scaleText, policyName] = process.argv.slice(2);
  const scale = Number(scaleText ?? '1');
  const loaded = loadScenario(file);
  const wl = loaded.workload;
  const sc = { ...loaded, workload: { ...wl, workflows: wl.workflows !== undefined ? wl.workflows * scale : undefined, duration: wl.duration !== undefined ? wl.duration * scale : undefined } };
  const policies = policyName ? sc.policies.filter((p) => p.name === policyName) : sc.policies;
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
  const out: SimMeasurement = { attempts, ms, events, maxRssMB: process.resourceUsage().maxRSS / 1024 };
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) main();
