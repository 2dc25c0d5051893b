/**
 * Synthetic reports with real HdrHistograms, for testing the report views before (and apart from)
 * the simulator. Values come from keyed uniform draws, so a fixture is the same on every call.
 */
import { build, encodeIntoCompressedBase64, type Histogram } from 'hdr-histogram-js';
import { keyedUniform } from '../../src/kernel/rng.js';
import { summarizeCensored } from '../../src/metrics/hdr.js';
import { stormFigures } from '../../src/run/storm.js';
import { REPORT_SCHEMA, LATENCY_METRICS, type PolicyReport, type Report, type Summary } from '../../src/report/types.js';

export const TOOLS = ['portfolio.positions', 'market.quote', 'risk.score', 'ledger.lookup'];

export interface FixturePolicy {
  name: string;
  /** Multiplies every latency draw: 1.2 is a 20 % slower system. @default 1 */
  slowdown?: number;
  /** Attempts per logical call. @default 1.1 */
  amplification?: number;
  /** Failed workflows out of `workflows`. @default 2 */
  failed?: number;
  /** Median call latency in ms. @default 120 */
  medianCallMs?: number;
}

export interface FixtureOptions {
  policies?: FixturePolicy[];
  workflows?: number;
  steps?: number;
  seed?: number;
}

const DEFAULT_POLICIES: FixturePolicy[] = [
  { name: 'sdk-default', medianCallMs: 150, amplification: 1, failed: 9 },
  { name: 'naive-retry', medianCallMs: 120, amplification: 1.8, failed: 3 },
  { name: 'seed-guidance', medianCallMs: 110, amplification: 1.1, failed: 1 },
];

function newHistogram(): Histogram {
  return build({ bitBucketSize: 64, numberOfSignificantValueDigits: 3, autoResize: true });
}

/** A lognormal draw with the given median and shape, from two keyed uniforms (Box–Muller). */
function lognormal(seed: number, a: number, b: number, median: number, sigma: number): number {
  const u1 = Math.max(keyedUniform(seed, a, b, 0, 1), 1e-12);
  const u2 = keyedUniform(seed, a, b, 0, 2);
  const z = Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  return median * Math.exp(sigma * z);
}

function summarize(h: Histogram, scale: number): Summary {
  const at = (p: number) => h.getValueAtPercentile(p) / scale;
  return { count: h.totalCount, mean: h.mean / scale, p50: at(50), p90: at(90), p95: at(95), p99: at(99), p999: at(99.9), max: h.maxValue / scale };
}

function fixturePolicy(fp: FixturePolicy, index: number, o: Required<Omit<FixtureOptions, 'policies'>>): PolicyReport {
  const slowdown = fp.slowdown ?? 1;
  const amplification = fp.amplification ?? 1.1;
  const failed = fp.failed ?? 2;
  const medianCall = fp.medianCallMs ?? 120;
  const hs: Record<string, Histogram> = {};
  const get = (k: string) => (hs[k] ??= newHistogram());
  // Reads without adding an empty histogram to the report (the simulator encodes only what it has).
  const peek = (k: string) => hs[k] ?? newHistogram();
  let cost = 0;
  const perStep = new Array<number>(o.steps).fill(0);
  for (let w = 0; w < o.workflows; w++) {
    let workflowUs = 0;
    let workflowCostMicros = 0;
    for (let s = 0; s < o.steps; s++) {
      const tool = TOOLS[s % TOOLS.length];
      // Common random numbers: the draw depends on (workflow, step), not on the policy.
      const callUs = Math.round(lognormal(o.seed, w, s, medianCall * 1000, 0.8) * slowdown);
      const llmUs = Math.round(lognormal(o.seed + 1, w, s, 900_000, 0.3) * slowdown);
      get('call.completed').recordValue(callUs);
      get(`call.completed{tool:${tool}}`).recordValue(callUs);
      get('attempt').recordValue(Math.round(callUs * 0.9));
      get(`attempt{tool:${tool}}`).recordValue(Math.round(callUs * 0.9));
      get('server').recordValue(Math.round(callUs * 0.4));
      get('tunnelRoundTrip').recordValue(Math.round(callUs * 0.5));
      get('relayQueue').recordValue(200 + s);
      get('serverQueue').recordValue(100 + s);
      get('llm').recordValue(llmUs);
      workflowUs += callUs + llmUs;
      const stepMicros = Math.round((2000 + 400 * s) * amplification * (0.5 + keyedUniform(o.seed + 2, w, s, 0, 0)));
      workflowCostMicros += stepMicros;
      perStep[s] += stepMicros / 1e6;
    }
    cost += workflowCostMicros / 1e6;
    if (w >= failed) {
      get('workflow.completed').recordValue(workflowUs);
      get('completedWorkflowCostMicros').recordValue(workflowCostMicros);
      get('completedWorkflowTokens').recordValue(Math.round(workflowCostMicros / 0.4));
    } else get('workflow.failed').recordValue(Math.round(workflowUs / 2));
  }
  const completed = o.workflows - failed;
  const logical = o.workflows * o.steps;
  const attempts = Math.round(logical * amplification);
  const windows = 60;
  const offered = Array.from({ length: windows }, (_, i) => Math.round(logical / windows + 10 * Math.sin(i / 5)));
  const attemptSeries = offered.map((n, i) => Math.round(n * amplification * (i >= 20 && i < 26 ? 2.5 : 1)));
  const completedSeries = offered.map((n) => Math.round(n / o.steps));
  const latency = {
    workflow: summarizeCensored(peek('workflow.completed'), peek('workflow.failed').totalCount),
    call: summarizeCensored(peek('call.completed'), 0),
    ...Object.fromEntries(LATENCY_METRICS.map((m) => [m, summarize(peek(m), 1000)])),
  } as PolicyReport['latency'];
  const tools = Object.fromEntries(
    TOOLS.map((t) => [t, {
      logical: logical / TOOLS.length, attempts: attempts / TOOLS.length, rejected: 0, amplification, timeouts: 3 + index, errors: 2, failed: 1,
      call: summarizeCensored(peek(`call.completed{tool:${t}}`), 0),
      'call.completed': summarize(peek(`call.completed{tool:${t}}`), 1000),
      'call.failed': summarize(peek(`call.failed{tool:${t}}`), 1000),
      attempt: summarize(peek(`attempt{tool:${t}}`), 1000),
    }]),
  );
  return {
    name: fp.name,
    description: `fixture policy ${fp.name}`,
    timeouts: Object.fromEntries(TOOLS.map((t) => [t, 2000])),
    worlds: 1,
    simulatedMs: windows * 10_000,
    workflows: {
      started: o.workflows, completed, failed, failedByReason: { timeout: failed },
      successRate: completed / o.workflows, failedRate: failed / o.workflows,
    },
    calls: {
      logical, attempts, rejected: 0, retries: attempts - logical, transportRetries: attempts - logical, agentRetries: 0, amplification,
      timeouts: 12 + index, errors: 8, rateLimited: 0, rejectedByRelay: 0, zombieExecutions: 5 * index,
      duplicateExecutions: index, nonIdempotentDuplicates: 0, failed,
    },
    latency,
    tools,
    tokens: {
      input: 1_000_000, output: 50_000, cacheRead: 400_000, cacheWrite: 100_000, total: 1_550_000,
      perCompletedWorkflow: 1_550_000 / completed, retryTurns: 0, retryTurnsShare: 0, failedWorkflows: 1_550_000 * (failed / o.workflows),
      failedWorkflowsShare: failed / o.workflows, cacheHitRate: 0.3, overflows: 0,
    },
    completedWorkflowTokens: summarize(peek('completedWorkflowTokens'), 1),
    cost: {
      total: cost, perCompletedWorkflow: cost / completed, retryTurns: 0, retryTurnsShare: 0,
      failedWorkflows: cost * (failed / o.workflows), failedWorkflowsShare: failed / o.workflows,
      perStep, currency: 'USD', pricingSource: 'fixture prices',
    },
    completedWorkflowCost: summarize(peek('completedWorkflowCostMicros'), 1e6),
    storm: stormFigures({ attempts: attemptSeries, offered, completed: completedSeries, failed: offered.map(() => 0) }, 1, 10_000, [{ kind: 'outage', label: 'outage relay, 3m20s–4m20s', from: 200_000, to: 260_000 }]),
    breaker: {
      opens: index, openTimeMs: 30_000 * index, rejected: 40 * index,
      transitions: index === 0 ? [] : [[200_000, 1], [230_000, 2], [231_000, 0 + (index > 1 ? 1 : 0)], ...(index > 1 ? [[261_000, 2], [262_000, 0]] as [number, number][] : [])],
    },
    histograms: Object.fromEntries(Object.entries(hs).sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, h]) => [k, encodeIntoCompressedBase64(h)])),
    timeline: {
      windowMs: 10_000,
      worlds: 1,
      okCalls: offered.map((n, w) => Math.round(n * (w >= 20 && w < 22 ? 0.3 : 1))),
      started: offered.map((n) => Math.ceil(n / 30)),
      completed: offered.map((n) => Math.floor(n / 30)),
      failed: offered.map((_, w) => (w >= 20 && w < 22 ? 1 : 0)),
      wastedDollars: offered.map((_, w) => (w >= 20 && w < 22 ? 0.5 : 0)),
      wastedTokens: offered.map((_, w) => (w >= 20 && w < 22 ? 100_000 : 0)),
    },
  };
}

// Building the histograms is the slow part; tests get fresh copies of one build per options.
const built = new Map<string, Report>();

/** A full report with real HdrHistograms (a fresh copy each call, safe to mutate). */
export function fixtureReport(options: FixtureOptions = {}): Report {
  const key = JSON.stringify(options);
  if (!built.has(key)) built.set(key, buildReport(options));
  return structuredClone(built.get(key)!);
}

function buildReport(options: FixtureOptions): Report {
  const o = { workflows: options.workflows ?? 200, steps: options.steps ?? 30, seed: options.seed ?? 42 };
  const policies = (options.policies ?? DEFAULT_POLICIES).map((p, i) => fixturePolicy(p, i, o));
  // Built apart from the literal so the fixture fits the scenario info as it grows.
  const scenario = {
    name: 'fixture',
    file: 'scenarios/fixture.yaml',
    policies: policies.map((p, i) => ({ name: p.name, description: p.description, timeouts: p.timeouts, breaker: i > 0 })),
    pricing: { source: 'fixture prices', inputPerMTok: 3, outputPerMTok: 15, cacheReadMultiplier: 0.1, cacheWriteMultiplier: 1.25, cacheTtl: 300_000, caching: 'automatic' as const },
    windowMs: 10_000,
    faultWindows: [{ kind: 'outage', label: 'outage relay, 3m20s–4m20s', from: 200_000, to: 260_000 }],
    thresholds: {} as Record<string, string[]>,
    verdict: { objective: 'cost.perCompletedWorkflow', maximize: false, completionFloor: 0.9 },
    incidentWindows: [{ fault: 0, kind: 'latency-spike', fromMs: 200_000, toMs: 220_000 }],
  };
  return {
    schema: REPORT_SCHEMA,
    tool: { name: 'tunnelsim', version: '0.1.0' },
    mode: 'sim',
    scenario,
    seed: o.seed,
    replications: 1,
    policies,
    thresholds: [],
    worlds: [],
  };
}

/** The default policies with every latency slowed by `factor`. */
export function slowedPolicies(factor: number): FixturePolicy[] {
  return DEFAULT_POLICIES.map((p) => ({ ...p, slowdown: factor }));
}
