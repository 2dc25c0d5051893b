/**
 * The recorder of one world: integer counters, HdrHistograms and per-window series. Nothing here
 * grows with the number of calls (memory stays flat in run length): histograms have fixed-size
 * buckets, series grow with simulated time / window, per-step arrays with the step count.
 *
 * Populations (docs/reports.md): every started workflow ends in `workflow.completed` or in
 * `workflow.failed` (its time to failure), every logical call in `call.completed` or `call.failed`,
 * so the censored figures over all of them can be built; `attempt` holds every attempt the caller
 * waited for, a timed-out one at its timeout.
 */
import { encode } from './hdr.js';
import { FastHistogram } from './fast-histogram.js';
import { Timeline } from './timeline.js';
import { LATENCY_METRICS, type LatencyMetric, type WorldRecord } from '../report/types.js';

export interface TokenCounts {
  input: number;
  output: number;
  cacheRead: number;
  cacheWrite: number;
}

export interface ToolCounters {
  logical: number;
  attempts: number;
  timeouts: number;
  errors: number;
  failed: number;
  /** Tries refused by the breaker or the bulkhead (no attempt sent). */
  rejected: number;
  callCompleted: FastHistogram;
  callFailed: FastHistogram;
  /** Every attempt the caller waited for, a timed-out one at its timeout: the report's `attempt{tool:…}`. */
  waited: FastHistogram;
}

/** Counter names as they appear in WorldRecord.counters. */
export const COUNTERS = [
  'workflowsStarted',
  'workflowsCompleted',
  'workflowsFailed',
  'logicalCalls',
  'attempts',
  'transportRetries',
  'agentRetries',
  'timeouts',
  'errors',
  'rateLimited',
  'rejectedByRelay',
  'shedByRelay',
  'resets',
  'streamCuts',
  'unavailable',
  'breakerRejected',
  'budgetExhausted',
  'hedgesSent',
  'hedgesWon',
  'hedgesWasted',
  'bulkheadRejected',
  'limitRejected',
  'zombieExecutions',
  'duplicateExecutions',
  'nonIdempotentDuplicates',
  'callsFailed',
  'tokensInput',
  'tokensOutput',
  'tokensCacheRead',
  'tokensCacheWrite',
  'retryTokensInput',
  'retryTokensOutput',
  'retryTokensCacheRead',
  'retryTokensCacheWrite',
  'cacheLookups',
  'cacheHits',
  'cacheExpiries',
  'overflows',
  'costNanos',
  'retryCostNanos',
  'failedWorkflowCostNanos',
  'failedWorkflowTokens',
  'contextDrops',
  'droppedResults',
  'droppedTokens',
  'summaries',
  'summaryCostNanos',
  'spendCapAborts',
  'breakerOpens',
  'breakerOpenMicros',
  'simulatedMicros',
  'serverBusyMicros',
  'relayHeldMicros',
] as const;
export type CounterName = (typeof COUNTERS)[number];

const MAX_TRANSITIONS = 10_000;

/** Metrics held as the sum of a per-tool histogram, with the tool counter's field. */
const SUMMED_OVER_TOOLS = { attempt: 'waited', 'call.completed': 'callCompleted', 'call.failed': 'callFailed' } as const;
type SummedMetric = keyof typeof SUMMED_OVER_TOOLS;
/** Metrics a recorder records directly. */
export type RecordedMetric = Exclude<LatencyMetric, SummedMetric>;
const RECORDED_METRICS = LATENCY_METRICS.filter((k): k is RecordedMetric => !(k in SUMMED_OVER_TOOLS));

export class Recorder {
  readonly c: Record<CounterName, number>;
  readonly failedBy = new Map<string, number>();
  /**
   * The histograms recorded directly. `attempt`, `call.completed` and `call.failed` are not among
   * them: each is the sum of its per-tool histograms (every value goes to exactly one tool), so
   * they are added up once in `toRecord` instead of recorded twice per attempt and per call.
   */
  readonly latency: Record<RecordedMetric, FastHistogram>;
  readonly completedWorkflowTokens = new FastHistogram();
  readonly completedWorkflowCostMicros = new FastHistogram();
  readonly tools: ToolCounters[];
  /** Per-step token totals by billing category and the step's cost in nano-dollars. */
  readonly perStep: { input: number[]; output: number[]; cacheRead: number[]; cacheWrite: number[]; cost: number[] } = {
    input: [],
    output: [],
    cacheRead: [],
    cacheWrite: [],
    cost: [],
  };
  readonly stormAttempts: number[] = [];
  readonly stormOffered: number[] = [];
  readonly stormCompleted: number[] = [];
  readonly stormFailed: number[] = [];
  readonly transitions: [number, number][] = [];
  /** Successful calls, workflow ends and wasted spend per window (metrics/timeline.ts). */
  readonly timeline: Timeline;

  constructor(
    readonly toolNames: readonly string[],
    readonly windowMs: number,
  ) {
    this.timeline = new Timeline(windowMs);
    this.c = Object.fromEntries(COUNTERS.map((k) => [k, 0])) as Record<CounterName, number>;
    this.latency = Object.fromEntries(RECORDED_METRICS.map((k) => [k, new FastHistogram()])) as Record<RecordedMetric, FastHistogram>;
    this.tools = toolNames.map(() => ({
      logical: 0,
      attempts: 0,
      timeouts: 0,
      errors: 0,
      failed: 0,
      rejected: 0,
      callCompleted: new FastHistogram(),
      callFailed: new FastHistogram(),
      waited: new FastHistogram(),
    }));
  }

  /** Records a latency in ms into a histogram (stored in µs). */
  ms(metric: RecordedMetric, ms: number): void {
    this.latency[metric].recordValue(Math.round(ms * 1000));
  }

  /** A workflow that completed at `t` after `ms` from its intended start. */
  completeWorkflow(t: number, ms: number): void {
    this.c.workflowsCompleted++;
    this.latency['workflow.completed'].recordValue(Math.round(ms * 1000));
    this.stormCompleted[this.window(t)]++;
  }

  /** A workflow that failed at `t`, `ms` after its intended start. */
  failWorkflow(reason: string, t: number, ms: number): void {
    this.c.workflowsFailed++;
    this.failedBy.set(reason, (this.failedBy.get(reason) ?? 0) + 1);
    this.latency['workflow.failed'].recordValue(Math.round(ms * 1000));
    this.stormFailed[this.window(t)]++;
  }

  /** A logical call's end, `ms` after the agent issued it: answered, or failed for good. */
  callEnded(tool: number, ms: number, ok: boolean): void {
    const us = Math.round(ms * 1000);
    const t = this.tools[tool];
    if (ok) {
      t.callCompleted.recordValue(us);
      return;
    }
    this.c.callsFailed++;
    t.failed++;
    t.callFailed.recordValue(us);
  }

  offered(t: number): void {
    this.stormOffered[this.window(t)]++;
  }

  attemptSent(t: number, tool: number): void {
    this.c.attempts++;
    this.tools[tool].attempts++;
    this.stormAttempts[this.window(t)]++;
  }

  /** The window index of time `t`, every series grown to hold it. */
  private window(t: number): number {
    const i = Math.floor(t / this.windowMs);
    while (this.stormAttempts.length <= i) {
      this.stormOffered.push(0);
      this.stormAttempts.push(0);
      this.stormCompleted.push(0);
      this.stormFailed.push(0);
    }
    return i;
  }

  /** One LLM turn's tokens and its cost in integer nano-dollars (so shards add up exactly). */
  tokens(step: number, t: TokenCounts & { nanos: number }, retry: boolean): void {
    const c = this.c;
    c.costNanos += t.nanos;
    if (retry) c.retryCostNanos += t.nanos;
    c.tokensInput += t.input;
    c.tokensOutput += t.output;
    c.tokensCacheRead += t.cacheRead;
    c.tokensCacheWrite += t.cacheWrite;
    if (retry) {
      c.retryTokensInput += t.input;
      c.retryTokensOutput += t.output;
      c.retryTokensCacheRead += t.cacheRead;
      c.retryTokensCacheWrite += t.cacheWrite;
    }
    const p = this.perStep;
    while (p.input.length <= step) {
      p.input.push(0);
      p.output.push(0);
      p.cacheRead.push(0);
      p.cacheWrite.push(0);
      p.cost.push(0);
    }
    p.cost[step] += t.nanos;
    p.input[step] += t.input;
    p.output[step] += t.output;
    p.cacheRead[step] += t.cacheRead;
    p.cacheWrite[step] += t.cacheWrite;
  }

  /** A metric's histogram: recorded, or the sum over tools (exact: the same buckets, extremes and count). */
  histogram(metric: LatencyMetric): FastHistogram {
    const per = SUMMED_OVER_TOOLS[metric as SummedMetric];
    if (per === undefined) return this.latency[metric as RecordedMetric];
    const sum = new FastHistogram();
    for (const t of this.tools) sum.add(t[per]);
    return sum;
  }

  breakerTransition(t: number, state: number): void {
    if (this.transitions.length < MAX_TRANSITIONS) this.transitions.push([Math.round(t * 1000) / 1000, state]);
  }

  /** The mergeable raw record of this world. */
  toRecord(id: string, policy: string, replication: number): WorldRecord {
    const counters: Record<string, number> = { ...this.c };
    for (const [reason, n] of [...this.failedBy].sort((a, b) => (a[0] < b[0] ? -1 : 1))) counters[`failed.${reason}`] = n;
    const histograms: Record<string, string> = {};
    for (const k of LATENCY_METRICS) histograms[k] = encode(this.histogram(k).toHdr());
    histograms.completedWorkflowTokens = encode(this.completedWorkflowTokens.toHdr());
    histograms.completedWorkflowCostMicros = encode(this.completedWorkflowCostMicros.toHdr());
    const tools: Record<string, Record<string, number>> = {};
    this.toolNames.forEach((name, i) => {
      const t = this.tools[i];
      tools[name] = { logical: t.logical, attempts: t.attempts, timeouts: t.timeouts, errors: t.errors, failed: t.failed, rejected: t.rejected };
      histograms[`call.completed{tool:${name}}`] = encode(t.callCompleted.toHdr());
      histograms[`call.failed{tool:${name}}`] = encode(t.callFailed.toHdr());
      histograms[`attempt{tool:${name}}`] = encode(t.waited.toHdr());
    });
    return {
      id,
      policy,
      replication,
      counters,
      tools,
      perStep: this.perStep,
      storm: { attempts: this.stormAttempts, offered: this.stormOffered, completed: this.stormCompleted, failed: this.stormFailed },
      breakerTransitions: this.transitions,
      histograms,
      timeline: this.timeline.toRecord(),
    };
  }
}
