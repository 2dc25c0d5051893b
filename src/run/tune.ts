/**
 * Timeout tuning: the cheapest policy (by any report figure) that meets the SLO. The search is a
 * deterministic coordinate descent over a small space engineers actually choose from — timeout
 * rule, attempts, backoff base, breaker — starting from the seed guidance: each round tries every
 * value of one dimension with the others held, keeps the best, and stops when a full round changes
 * nothing. Every candidate runs on the same keyed draws and the same calibration pass, so
 * candidates differ only by their settings. The winner is compared, in one run, with the seed
 * guidance and every preset. A round's candidates for one dimension are independent of each other,
 * so they run as one batch on the sweep's worker pool (sweep-jobs.ts) and the walk then picks in
 * the sequential order: the report is the same for any number of workers.
 */
import { stringify } from 'yaml';
import { PRESETS } from '../policy/presets.js';
import { TunnelsimError } from '../errors.js';
import { sloResults } from '../report/thresholds.js';
import { figureValue } from '../report/figures.js';
import { measurePolicy } from '../report/resolve.js';
import { parseThreshold } from '../report/threshold-grammar.js';
import type { PolicyReport } from '../report/types.js';
import { parseScenario } from '../scenario/load.js';
import type { UserWorkflow } from '../agent/script.js';
import { calibrate, needsCalibration } from './calibrate.js';
import { withJobRunner, type JobRunner, type SimJob } from './sweep-jobs.js';
import { VERSION } from './version.js';
import { TUNE_SCHEMA, type Candidate, type TuneReport } from '../report/tune-report.js';

export { TUNE_SCHEMA, type Candidate, type TuneReport };

/** The search space: each dimension's values, as YAML policy fragments. */
export const DIMENSIONS: { name: string; values: { label: string; set: Record<string, unknown> }[] }[] = [
  {
    name: 'timeout',
    values: ['p95x1.2', 'p95x1.5', 'p95x2', 'p99x1.2', 'p99x1.5', 'p99x2', '5s', '10s', '30s'].map((t) => ({
      label: t,
      set: { timeout: /^p/.test(t) ? { perTool: t } : t },
    })),
  },
  { name: 'maxAttempts', values: [1, 2, 3, 4, 5, 6, 8].map((n) => ({ label: String(n), set: { maxAttempts: n } })) },
  { name: 'backoff', values: ['100ms', '200ms', '500ms', '1s', '2s', '5s'].map((b) => ({ label: `exponential ${b}…30s, full jitter`, set: { backoffBase: b } })) },
  {
    name: 'breaker',
    values: [
      { label: 'none', set: { breaker: 'none' } },
      ...[
        [5, '5s'],
        [5, '30s'],
        [10, '5s'],
        [10, '30s'],
        [20, '10s'],
      ].map(([threshold, after]) => ({ label: `consecutive ${threshold}, half-open after ${after}`, set: { breaker: { kind: 'consecutive', threshold, halfOpenAfter: after } } })),
    ],
  },
];

/** The starting point: the seed guidance (1.5 × p95, 3 attempts, 200 ms exponential backoff, breaker 5 / 30 s). */
export const START = [1, 2, 1, 2];

export interface TuneOptions {
  /** A figure of the report to minimise, e.g. `cost.perCompletedWorkflow`, `workflow.p(95)`. */
  objective: string;
  slo: string[];
  /** Also require this share of workflows to complete. @default 0.95 */
  minSuccess?: number;
  maximize?: boolean;
  /** @default 4 */
  maxRounds?: number;
  seed?: number;
  /** Worker threads the candidates run on; 1 runs them on the calling thread. @default 1 */
  workers?: number;
  /** A loaded workflow module for the calibration pass (the candidates' threads load their own). */
  module?: UserWorkflow;
  onCandidate?: (label: string, value: number | null, ok: boolean) => void;
}

export const DEFAULT_TUNE: Required<Pick<TuneOptions, 'workers' | 'maxRounds'>> = { workers: 1, maxRounds: 4 };

function entryOf(name: string, choice: number[]): Record<string, unknown> {
  const pick = (d: number) => DIMENSIONS[d].values[choice[d]].set;
  const timeout = pick(0).timeout;
  const maxAttempts = pick(1).maxAttempts as number;
  const base = pick(2).backoffBase as string;
  const breaker = pick(3).breaker;
  return {
    name,
    timeout,
    retry: { maxAttempts, backoff: { kind: 'exponential', base, max: '30s', jitter: 'full' }, layer: 'transport' },
    breaker,
  };
}

function settingsOf(choice: number[]): Record<string, string> {
  return Object.fromEntries(DIMENSIONS.map((d, i) => [d.name, d.values[choice[i]].label]));
}

export async function runTune(file: string, base: unknown, opts: TuneOptions): Promise<TuneReport> {
  const workers = opts.workers ?? DEFAULT_TUNE.workers;
  if (!(Number.isInteger(workers) && workers >= 1)) throw new RangeError('workers must be an integer ≥ 1');
  // The worker threads start loading while this thread validates and calibrates.
  return withJobRunner(workers, (runner) => tune(runner, file, base, opts));
}

async function tune(runner: JobRunner, file: string, base: unknown, opts: TuneOptions): Promise<TuneReport> {
  const target = parseThreshold(`${opts.objective} >= 0`, '--objective').target;
  for (const expr of opts.slo) parseThreshold(expr, '--slo');
  const slo = opts.minSuccess === 0 ? opts.slo : [...opts.slo, `workflows.successRate >= ${opts.minSuccess ?? 0.95}`];
  const sign = opts.maximize ? -1 : 1;
  const scenarioData = (entries: Record<string, unknown>[]) => {
    const data = structuredClone(base) as Record<string, unknown>;
    data.policies = entries;
    data.thresholds = {};
    return data;
  };
  const scenarioWith = (entries: Record<string, unknown>[]) => parseScenario(scenarioData(entries), file);
  const probe = scenarioWith([entryOf('probe', START)]);
  const seed = opts.seed ?? probe.seed;
  const calibration = needsCalibration(probe.policies) ? calibrate(probe, seed, opts.module) : undefined;

  const judge = (p: PolicyReport, name: string, settings: Record<string, string>): Candidate => {
    const results = sloResults({ policies: [p] } as never, { [p.name]: slo });
    const objective = measurePolicy(p, target);
    // A figure the report does not have is a typo: say so at the first candidate, not after the search.
    if (objective.value === null && objective.problem && !objective.problem.startsWith('no samples')) {
      throw new TunnelsimError('BAD_INPUT', `'${opts.objective}': ${objective.problem}`, { field: '--objective' });
    }
    let violation = 0;
    for (const r of results) {
      if (r.ok) continue;
      const limit = parseThreshold(r.expression).limit;
      const bound = limit.kind === 'absolute' ? limit.value : 0;
      violation += r.value === null ? 1 : Math.abs(r.value - bound) / Math.max(Math.abs(bound), 1e-9);
    }
    return {
      name,
      settings,
      objective: objective.value,
      meetsSlo: results.every((r) => r.ok),
      successRate: p.workflows.successRate,
      violation: Number(violation.toPrecision(6)),
      workflowP95: figureValue(p, 'workflow.p(95)'),
      costPerCompletedWorkflow: p.cost.perCompletedWorkflow,
      amplification: p.calls.amplification,
    };
  };
  // Feasible candidates by objective; infeasible ones by how far they miss the SLO, so the search
  // walks towards feasibility instead of towards a cheap policy that fails. Ties keep the earlier.
  const better = (a: Candidate, b: Candidate) => {
    if (a.meetsSlo !== b.meetsSlo) return a.meetsSlo;
    if (!a.meetsSlo) return a.violation < b.violation;
    const oa = a.objective === null ? Infinity : sign * a.objective;
    const ob = b.objective === null ? Infinity : sign * b.objective;
    return oa < ob;
  };

  const cache = new Map<string, Candidate>();
  const jobOf = (entries: Record<string, unknown>[]): SimJob => {
    const sc = scenarioWith(entries);
    return { file, data: scenarioData(entries), sc, seed, replications: sc.replications ?? 1, calibration };
  };
  /** Runs every choice not yet evaluated, as one batch on the runner; each is told to `onCandidate` in the order given. */
  const evaluateAll = async (choices: number[][]): Promise<void> => {
    const fresh = [...new Map(choices.map((c) => [c.join(','), c])).entries()].filter(([key]) => !cache.has(key));
    const reports = await runner.run(fresh.map(([, c]) => jobOf([entryOf('candidate', c)])));
    fresh.forEach(([key, c], i) => {
      const cand = judge(reports[i].policies[0], 'tuned', settingsOf(c));
      cache.set(key, cand);
      opts.onCandidate?.(Object.values(cand.settings).join(' · '), cand.objective, cand.meetsSlo);
    });
  };
  const evaluated = (choice: number[]): Candidate => cache.get(choice.join(','))!;

  let choice = [...START];
  let best: Candidate | undefined;
  let rounds = 0;
  for (let changed = true; changed && rounds < (opts.maxRounds ?? DEFAULT_TUNE.maxRounds); rounds++) {
    changed = false;
    for (let d = 0; d < DIMENSIONS.length; d++) {
      // One dimension's values differ from each other in that dimension only, whichever wins: they
      // are independent and run as one batch. The walk below then decides in the sequential order.
      // The starting point rides with the first batch: alone, it left every worker but one idle.
      const at = choice;
      const others = DIMENSIONS[d].values.flatMap((_, v) => (v === at[d] ? [] : [Object.assign([...at], { [d]: v })]));
      await evaluateAll(best === undefined ? [at, ...others] : others);
      best ??= evaluated(at);
      for (let v = 0; v < DIMENSIONS[d].values.length; v++) {
        if (v === choice[d]) continue;
        const next = [...choice];
        next[d] = v;
        const c = evaluated(next);
        if (better(c, best)) {
          best = c;
          choice = next;
          changed = true;
        }
      }
    }
  }

  // No round ran (maxRounds 0): the starting point is the answer.
  if (best === undefined) {
    await evaluateAll([choice]);
    best = evaluated(choice);
  }

  // The winner beside the seed guidance and the presets, in one run on the same draws.
  const presetNames = Object.keys(PRESETS);
  const entries = [entryOf('tuned', choice), ...presetNames.map((n) => ({ name: n, preset: n }))];
  const [all] = await runner.run([jobOf(entries)]);
  const comparison = all.policies.map((p) => judge(p, p.name, p.name === 'tuned' ? settingsOf(choice) : { preset: p.name }));
  const feasible = best.meetsSlo;
  const entry = entryOf('tuned', choice);
  return {
    schema: TUNE_SCHEMA,
    tool: { name: 'tunnelsim', version: VERSION },
    scenario: { name: probe.name, file },
    objective: opts.objective,
    maximize: Boolean(opts.maximize),
    slo,
    best: feasible ? best : null,
    policyYaml: feasible ? stringify({ policies: [entry] }) : null,
    comparison,
    evaluated: cache.size,
    rounds,
  };
}
