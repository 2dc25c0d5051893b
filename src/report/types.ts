/**
 * The report contract (`schema: "tunnelsim.report/v2"`). JSON is the source of truth; Markdown,
 * HTML and the terminal table are views of it. Every figure is derived from mergeable raw data
 * (integer counters and HdrHistograms), so shards merge exactly.
 *
 * Units: latency figures in milliseconds, token figures in tokens, money in US dollars; histograms
 * hold microseconds (latency), tokens, or micro-dollars (cost). A figure over an empty population
 * is null ("no data"), never 0. Every figure and its population is defined once, in
 * docs/reports.md; `figures.ts` holds the labels every view prints.
 */

import type { CallTimeline, RecoveryFigures } from './incident-types.js';
import type { ScenarioInfo } from './scenario-info.js';
import type { WorldRecord } from './world-record.js';
import type { Interval, Verdict } from './verdict-types.js';

export type { Interval, PairedDifference, Verdict, VerdictEntry, VerdictWhy } from './verdict-types.js';
export type { CalibrationInfo, FaultWindow, ScenarioInfo } from './scenario-info.js';
export type { WorldRecord } from './world-record.js';

export const REPORT_SCHEMA = 'tunnelsim.report/v2';

/**
 * Report schemas this version no longer reads, and why: their figures mean something else, so a
 * comparison with them would compare different populations.
 */
export const RETIRED_REPORT_SCHEMAS: Record<string, string> = {
  'tunnelsim.report/v1':
    'its workflow and call latency count completed ones only, its attempt latency leaves timed-out attempts out, and its amplification leaves breaker rejections out',
};

/** Percentile summary of one histogram. */
export interface Summary {
  count: number;
  mean: number;
  p50: number;
  p90: number;
  p95: number;
  p99: number;
  p999: number;
  max: number;
}

/**
 * Summary of a censored population: everything started (workflows) or offered (calls), a failed
 * one counted at +∞. A percentile past the completed share is null ("—, 44 % failed"), and so are
 * the mean and the max once one failed.
 */
export interface CensoredSummary {
  /** The whole population: completed + failed. */
  count: number;
  failed: number;
  mean: number | null;
  p50: number | null;
  p90: number | null;
  p95: number | null;
  p99: number | null;
  p999: number | null;
  max: number | null;
}

/**
 * Latency histograms a world records (milliseconds in summaries, µs in HDR). `workflow.completed`
 * and `call.completed` hold the survivors, `workflow.failed` and `call.failed` the time to
 * failure of the others; `attempt` holds every attempt the caller waited for, a timed-out one at
 * its timeout.
 */
export const LATENCY_METRICS = [
  'workflow.completed',
  'workflow.failed',
  'call.completed',
  'call.failed',
  'attempt',
  'relayQueue',
  'tunnelRoundTrip',
  'serverQueue',
  'server',
  'llm',
] as const;
export type LatencyMetric = (typeof LATENCY_METRICS)[number];

/** Censored populations, built from `<name>.completed` and the count of `<name>.failed`. */
export const CENSORED_METRICS = ['workflow', 'call'] as const;
export type CensoredMetric = (typeof CENSORED_METRICS)[number];

/** Per-workflow distributions of completed workflows that are not latencies (tokens, micro-dollars). */
export const VALUE_METRICS = ['completedWorkflowTokens', 'completedWorkflowCostMicros'] as const;
export type ValueMetric = (typeof VALUE_METRICS)[number];

/** A policy's latency summaries: the censored populations and every recorded histogram. */
export type PolicyLatency = Record<CensoredMetric, CensoredSummary> & Record<LatencyMetric, Summary>;

export interface WorkflowFigures {
  started: number;
  completed: number;
  failed: number;
  /** Failure count by reason: timeout, error, rateLimited, breakerOpen, contextOverflow, ... */
  failedByReason: Record<string, number>;
  /** completed ÷ started; null when none started. */
  successRate: number | null;
  failedRate: number | null;
}

export interface CallFigures {
  logical: number;
  attempts: number;
  /** Tries the caller refused itself, sending no attempt: breaker and bulkhead rejections. Each is a failure. */
  rejected: number;
  retries: number;
  transportRetries: number;
  agentRetries: number;
  /** (attempts + rejected) ÷ logical: tries per call as the agent sees them, a local rejection counting as one; null when no call. */
  amplification: number | null;
  timeouts: number;
  errors: number;
  rateLimited: number;
  rejectedByRelay: number;
  /** The server finished work whose caller had already given up. */
  zombieExecutions: number;
  /** Extra successful executions of one logical call (executions − 1, summed). */
  duplicateExecutions: number;
  /** Duplicates on tools marked idempotent: false. */
  nonIdempotentDuplicates: number;
  failed: number;
  /** Retries the retry budget refused (each failed its call). */
  budgetExhausted?: number;
  /** Extra parallel attempts sent by hedging. */
  hedgesSent?: number;
  /** Calls whose winning attempt was a hedge. */
  hedgesWon?: number;
  /** Attempts cancelled because another attempt of the same call won (their work still ran). */
  hedgesWasted?: number;
  /** Calls the bulkhead rejected (all slots and the queue full). */
  bulkheadRejected?: number;
  /** Queued requests the relay shed for waiting past their limit (relay/shedding.ts); they count as `rejected`. */
  shedByRelay?: number;
  /** Calls the caller's adaptive concurrency limit refused (`limited`). */
  limitRejected?: number;
  /** Attempts a hop reset because their stream outlived its maxStreamDuration or idleTimeout (they count as `reset`). */
  streamCuts?: number;
}

export interface ToolFigures {
  logical: number;
  attempts: number;
  rejected: number;
  amplification: number | null;
  timeouts: number;
  errors: number;
  failed: number;
  /** Every logical call of this tool, a failed one at +∞ (ms). */
  call: CensoredSummary;
  'call.completed': Summary;
  'call.failed': Summary;
  /** Every attempt of this tool the caller waited for, a timed-out one at its timeout (ms). */
  attempt: Summary;
}

export interface TokenFigures {
  input: number;
  output: number;
  cacheRead: number;
  cacheWrite: number;
  total: number;
  /** All tokens the run billed ÷ completed workflows (failed workflows' tokens included); null when none completed. */
  perCompletedWorkflow: number | null;
  /** Tokens billed in agent-layer retry turns: the context re-read to re-issue a failed call. */
  retryTurns: number;
  retryTurnsShare: number | null;
  /** Every token billed to workflows that failed (their retry turns included). */
  failedWorkflows: number;
  failedWorkflowsShare: number | null;
  cacheHitRate: number | null;
  overflows: number;
  /** Cache lookups that missed because the cached prefix had outlived its TTL (e.g. a long backoff). */
  cacheExpiries?: number;
  /** Context strategy at work: drop events, tool results dropped, tokens they freed, summaries. */
  contextDrops?: number;
  droppedResults?: number;
  droppedTokens?: number;
  summaries?: number;
  /** Workflows aborted by `llm.spendCap` (also in workflows.failedByReason.spendCap). */
  spendCapAborts?: number;
  /** Live mode: the tokenizer encoding that counted real payloads (tokens/tokenizer.ts), e.g. `o200k_base`. */
  encoding?: string;
}

export interface CostFigures {
  total: number;
  /** Spend per completed workflow: all spend (failed workflows' included) ÷ completed; null when none completed. */
  perCompletedWorkflow: number | null;
  /**
   * The retry tax in its two parts (docs/tokens.md). They overlap where a failed workflow took
   * retry turns, so they are never added: agent-layer retry turns (in every workflow) ...
   */
  retryTurns: number;
  retryTurnsShare: number | null;
  /** ... and all spend on workflows that failed. */
  failedWorkflows: number;
  failedWorkflowsShare: number | null;
  /** Dollars of summarisation turns (contextStrategy: summarize). */
  summaries?: number;
  /** Cost per step index (0-based), summed over workflows: where the money goes. */
  perStep: number[];
  currency: 'USD';
  pricingSource: string;
}

/**
 * Retry-storm figures (docs/reports.md "Retry storm"). Rates are per second and per world (the
 * mean over replications, which share one fault timeline); the series are sums over worlds.
 */
export interface StormFigures {
  windowMs: number;
  windows: number;
  /** The highest attempts sent per second in one window, and when that window started (ms). */
  peakAttemptsPerSec: number;
  peakAtMs: number;
  /** The median attempts/s of the windows before the first fault window (all windows when none); null without windows. */
  baselineAttemptsPerSec: number | null;
  /** peakAttemptsPerSec ÷ baselineAttemptsPerSec. */
  peakVsBaseline: number | null;
  /** Windows offering fewer logical calls than this (half the median) are left out of the ratio. */
  minOffered: number;
  /** The highest attempts ÷ logical calls offered over windows with at least minOffered offered; null when none. */
  peakRatio: number | null;
  /** Such windows with a ratio above 2. */
  windowsAbove2x: number;
  /** Per window from t = 0, summed over worlds: attempts sent, logical calls offered, workflows completed and failed. */
  series: { attempts: number[]; offered: number[]; completed: number[]; failed: number[] };
}

export interface BreakerFigures {
  opens: number;
  openTimeMs: number;
  rejected: number;
  /** Breaker state changes over time in the first replication: [timeMs, state] with state 0 closed, 1 open, 2 half-open. */
  transitions: [number, number][];
}

export interface ThresholdResult {
  expression: string;
  policy: string;
  /** Null when there is no value: no data, or a censored percentile (`message` says which). */
  value: number | null;
  ok: boolean;
  message?: string;
}

export interface PolicyReport {
  name: string;
  /** Human description of the policy (resolved timeouts, retry, breaker). */
  description: string;
  /** Resolved per-tool timeouts in ms (null: none). */
  timeouts: Record<string, number | null>;
  worlds: number;
  simulatedMs: number;
  workflows: WorkflowFigures;
  calls: CallFigures;
  latency: PolicyLatency;
  tools: Record<string, ToolFigures>;
  tokens: TokenFigures;
  /** Token distribution of completed workflows only (survivors); not tokens.perCompletedWorkflow. */
  completedWorkflowTokens: Summary;
  cost: CostFigures;
  /** Cost distribution of completed workflows only (survivors, dollars); not cost.perCompletedWorkflow. */
  completedWorkflowCost: Summary;
  storm: StormFigures;
  /** Time-averaged share of the server's workers busy and of the tunnel's in-flight slots held. */
  utilisation?: { server: number; relay: number };
  breaker: BreakerFigures;
  /** Successful calls, workflow ends and wasted spend per report window, added over the worlds (report/recovery.ts). */
  timeline?: CallTimeline;
  /** Per fault window of the scenario: successful calls before, during and after, recovery, the incident's cost. */
  recovery?: RecoveryFigures[];
  /** Every histogram as HdrHistogram compressed base64 (latency in µs). */
  histograms: Record<string, string>;
  /**
   * With two replications or more: each headline figure (by its threshold name, figures.ts) per
   * replication in replication order (null: no data or censored there), and its 95 % interval.
   */
  replicates?: Record<string, (number | null)[]>;
  intervals?: Record<string, Interval | null>;
}

export interface Report {
  schema: typeof REPORT_SCHEMA;
  tool: { name: 'tunnelsim'; version: string };
  mode: 'sim' | 'live';
  scenario: ScenarioInfo;
  seed: number;
  replications: number;
  /** Present on a shard's partial report: "i/n". Absent on full and merged reports. */
  shard?: string;
  policies: PolicyReport[];
  thresholds: ThresholdResult[];
  /** The answer the report opens with (report/verdict.ts); absent on a shard's partial report. */
  verdict?: Verdict;
  /** Raw per-world data, so shards merge exactly (see run/merge.ts). */
  worlds: WorldRecord[];
  /** Live mode: how the run was made (docs/live.md). Figures are in scenario time whatever the scale. */
  live?: LiveInfo;
}

/** How a live run was made. */
export interface LiveInfo {
  /** Wall time per unit of scenario time; latencies were measured in wall time and divided by it. */
  timeScale: number;
  /** The tokenizer encoding that counted real result payloads. */
  encoding: string;
  /** MCP client sessions the agents used. */
  sessions: number;
  /** How agents reached the endpoint. */
  transport: 'streamable-http';
  /** The external endpoint driven (`--target`); absent when the run used its own relay and upstream. */
  target?: string;
  /** Results delivered to an attempt they did not answer, over all worlds (the upstream echoes each call's tag; 0 unless the relay misroutes). */
  misrouted?: number;
  /**
   * How late the agents' thread's timers fired (wall ms after their drawn deadlines; never early):
   * link delays, LLM turns, timeouts, backoffs — the run's own delay accuracy (docs/live.md).
   * Timers of a server half in a worker thread are not counted.
   */
  timerLateness?: Summary;
  /** The agents' thread, whose clock times every injected delay, ran at real-time priority (`--realtime`). */
  realtime?: boolean;
  /** The real stack's overhead per call against the scenario's own figures (report/live-fidelity.ts); absent with `--target`. */
  fidelity?: LiveFidelity;
}

/** How far a live run's real-stack overhead lets its figures stand for the scenario (report/live-fidelity.ts). */
export interface LiveFidelity {
  /** Real-stack overhead per answered attempt, scenario ms. */
  overhead: Summary;
  /** The answered calls' p50 (scenario ms), the smallest over the policies; null with none answered. */
  callP50Ms: number | null;
  /** overhead p50 ÷ callP50Ms. */
  callShare: number | null;
  /** The shortest finite timeout of any policy and tool, ms; null when none is set. */
  shortestTimeoutMs: number | null;
  /** overhead p99 ÷ shortestTimeoutMs. */
  timeoutShare: number | null;
  faithful: boolean;
  /** The time scale at which both shares would be within their limits (absent when faithful). */
  faithfulAtTimeScale?: number;
}
