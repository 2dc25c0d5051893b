/**
 * The anchors suite: tunnelsim beside an established tool on the same model, in the same run.
 * DESIGN.md's budget: ≥ 10× SimPy 2.3 (Debian's python3-simpy, `SimPy.Simulation`) on an M/M/1
 * queue (λ = 0.9, μ = 1) of 1,000,000 customers, whole process each: `tunnelsim run
 * scenarios/mm1.yaml` against `python3 bench/simpy_mm1.py`. Rounds alternate the order, so a
 * machine that warms up or gets busier favours neither side; the ratio is the median of per-round
 * ratios. Both report their mean wait, and the suite checks it against the closed form ρ/(μ − λ) =
 * 9 s, so the two are known to simulate the same queue. Without SimPy the tunnelsim leg runs alone
 * and the suite says why the ratio is missing.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, stringify } from 'yaml';
import { median, sampled } from './median.js';
import type { BenchResult, BenchSuite } from './types.js';
import { wallClock } from './wall-clock.js';

const CLI = fileURLToPath(new URL('../cli/main.js', import.meta.url));
const MM1 = fileURLToPath(new URL('../../scenarios/mm1.yaml', import.meta.url));
const SIMPY = fileURLToPath(new URL('../../bench/simpy_mm1.py', import.meta.url));
/** Debian's interpreter, whose dist-packages hold python3-simpy (a pyenv `python3` on PATH does not see them). */
export const SYSTEM_PYTHON = '/usr/bin/python3';
/** ρ / (μ − λ) for λ = 0.9, μ = 1, in ms. */
export const MM1_MEAN_WAIT_MS = 9000;

export interface AnchorLeg {
  wallMs: number;
  customers: number;
  meanWaitMs: number;
}

/** Why SimPy cannot run here, or undefined when it can. */
export function simpyMissing(): string | undefined {
  try {
    execFileSync(SYSTEM_PYTHON, ['-c', 'import SimPy.Simulation'], { stdio: 'ignore' });
    return undefined;
  } catch {
    return `SimPy 2.3 not found for ${SYSTEM_PYTHON} (apt-get install python3-simpy)`;
  }
}

/** `tunnelsim run` of the M/M/1 scenario with `customers` workflows, as a fresh process. */
export function tunnelsimLeg(customers: number, dir: string): AnchorLeg {
  const data = parse(readFileSync(MM1, 'utf8')) as { workload: { workflows: number } };
  data.workload.workflows = customers;
  const file = join(dir, 'mm1.yaml');
  writeFileSync(file, stringify(data));
  const t0 = wallClock.now();
  execFileSync(process.execPath, [CLI, 'run', file, '--out', dir], { stdio: 'ignore', env: { ...process.env, CI: 'true' } });
  const wallMs = wallClock.now() - t0;
  const report = JSON.parse(readFileSync(join(dir, 'mm1.json'), 'utf8')) as { policies: { latency: { serverQueue: { count: number; mean: number } } }[] };
  const q = report.policies[0].latency.serverQueue;
  return { wallMs, customers: q.count, meanWaitMs: q.mean };
}

export function simpyLeg(customers: number): AnchorLeg {
  const t0 = wallClock.now();
  const out = execFileSync(SYSTEM_PYTHON, [SIMPY, String(customers)], { encoding: 'utf8' });
  const wallMs = wallClock.now() - t0;
  const r = JSON.parse(out) as { customers: number; meanWait: number };
  return { wallMs, customers: r.customers, meanWaitMs: r.meanWait * 1000 };
}

/**
 * Both legs must have simulated the queue they claim: every customer served and the mean wait near
 * ρ/(μ − λ). At ρ = 0.9 waits are strongly autocorrelated (a run of 10⁵ customers is off by ~10 %,
 * of 10⁶ by ~3 %), so the check allows 25 %: it catches a wrong model, not sampling noise.
 */
export function checkAgainstTheory(leg: AnchorLeg, customers: number): void {
  if (leg.customers !== customers) throw new Error(`anchors: a leg served ${leg.customers} of ${customers} customers`);
  if (Math.abs(leg.meanWaitMs / MM1_MEAN_WAIT_MS - 1) > 0.25) throw new Error(`anchors: mean wait ${leg.meanWaitMs.toFixed(0)} ms, theory ${MM1_MEAN_WAIT_MS} ms: not the same M/M/1 queue`);
}

export const anchorsSuite: BenchSuite = {
  name: 'anchors',
  async run(opts) {
    const customers = opts.quick ? 100_000 : 1_000_000;
    // Five rounds: on a shared 2-vCPU VM one whole-process run varies by ±15 %, and the ratio's
    // range (mm1.ratioPerRound) shows how far a single round could have misled.
    const rounds = opts.quick ? 1 : 5;
    const missing = simpyMissing();
    if (missing) process.stderr.write(`bench anchors: ${missing}; the SimPy leg and the ratio are skipped\n`);
    const dir = mkdtempSync(join(tmpdir(), 'tunnelsim-anchors-'));
    try {
      const ours: AnchorLeg[] = [];
      const theirs: AnchorLeg[] = [];
      const ratios: number[] = [];
      for (let i = 0; i < rounds; i++) {
        const simpyFirst = i % 2 === 1 && !missing;
        const early = simpyFirst ? simpyLeg(customers) : undefined;
        const t = tunnelsimLeg(customers, dir);
        const s = early ?? (missing ? undefined : simpyLeg(customers));
        for (const leg of s ? [t, s] : [t]) checkAgainstTheory(leg, customers);
        ours.push(t);
        if (s) {
          theirs.push(s);
          ratios.push(s.wallMs / t.wallMs);
        }
      }
      const leg = (xs: AnchorLeg[]): Record<string, BenchResult> => ({
        wall: sampled(xs.map((x) => x.wallMs), 'ms'),
        customersPerSec: sampled(xs.map((x) => (x.customers / x.wallMs) * 1000), 'customers/s'),
        meanWait: sampled(xs.map((x) => x.meanWaitMs), 'ms'),
      });
      const results: Record<string, BenchResult> = {};
      for (const [k, v] of Object.entries(leg(ours))) results[`mm1.tunnelsim.${k}`] = v;
      if (theirs.length) for (const [k, v] of Object.entries(leg(theirs))) results[`mm1.simpy.${k}`] = v;
      if (ratios.length) results['mm1.ratioPerRound'] = sampled(ratios, '×');
      const r: Record<string, number> = {};
      if (ratios.length) r.mm1VsSimpy = median(ratios);
      return { results, ratios: r };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
