/**
 * The report contract (`schema: "tunnelsim.report/v1"`). JSON is the source of truth; Markdown,
 * HTML and the terminal table are views of it. Every figure is derived from mergeable raw data
 * (integer counters and HdrHistograms), so shards merge exactly.
 *
 * Units: latency figures in milliseconds, token figures in tokens, money in US dollars; histograms
 * hold microseconds (latency), tokens, or micro-dollars (cost).
 */

import type { TimelineRecord } from '../metrics/timeline.js';
import type { FaultWindow, GoodputSeries, RecoveryFigures } from './recovery.js';

export const REPORT_SCHEMA = 'tunnelsim.report/v1';

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

/** Names of the latency histograms kept per policy (milliseconds in summaries, µs in HDR). */
export const LATENCY_METRICS = [
  'workflow',
  'call',
  'attempt',
  'relayQueue',
  'tunnelRoundTrip',
  'serverQueue',
  'server',
  'llm',
] as const;
export type LatencyMetric = (typeof LATENCY_METRICS)[number];

/** Per-workflow distributions that are not latencies. */
export const VALUE_METRICS = ['tokensPerCompletedWorkflow', 'costPerCompletedWorkflowMicros'] as const;
export type ValueMetric = (typeof VALUE_METRICS)[number];

export interface WorkflowFigures {
  started: number;
  completed: number;
  failed: number;
  /** Failure count by reason: timeout, error, rateLimited, breakerOpen, contextOverflow, ... */
  failedByReason: Record<string, number>;
  successRate: number;
  failedRate: number;
}

export interface CallFigures {
  logical: number;
  attempts: number;
  retries: number;
  transportRetries: number;
  agentRetries: number;
  /** attempts / logical */
  amplification: number;
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
  amplification: number;
  timeouts: number;
  errors: number;
  failed: number;
  /** Per-call latency of this tool (logical call, ms). */
  call: Summary;
  /** Per-attempt latency of completed attempts of this tool (ms). */
  attempt: Summary;
}

export interface TokenFigures {
  input: number;
  output: number;
  cacheRead: number;
  cacheWrite: number;
  total: number;
  /** Mean tokens per completed workflow (all tokens the run spent ÷ completed workflows). */
  perCompletedWorkflow: number;
  /** Share of tokens spent in agent-layer retry turns. */
  retryShare: number;
  cacheHitRate: number;
  overflows: number;
  /** Cache lookups that missed because the cached prefix had outlived its TTL (e.g. a long backoff). */
  cacheExpiries?: number;
  /** Tokens of the non-retry turns of workflows that failed (spend that bought nothing). */
  abandoned?: number;
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
  perCompletedWorkflow: number;
  /**
   * The retry tax in dollars: agent-layer retry turns (in every workflow) plus the other turns of
   * workflows that failed, i.e. spend that re-bought work or bought nothing (docs/tokens.md).
   */
  retryTax: number;
  /** retryTax ÷ total. */
  retryTaxShare: number;
  /** The retry tax's two parts: agent-layer retry turns, and the rest of failed workflows. */
  retryTurns?: number;
  abandoned?: number;
  /** Dollars of summarisation turns (contextStrategy: summarize). */
  summaries?: number;
  /** Cost per step index (0-based), summed over workflows: where the money goes. */
  perStep: number[];
  currency: 'USD';
  pricingSource: string;
}

export interface StormFigures {
  windowMs: number;
  /** Per window: attempts sent ÷ logical calls offered (0 when none offered). */
  peakRatio: number;
  windowsAbove2x: number;
  windows: number;
  /** Time series, one entry per window from t = 0. */
  series: { attempts: number[]; offered: number[] };
}

export interface BreakerFigures {
  opens: number;
  openTimeMs: number;
  rejected: number;
  /** Breaker state changes over time: [timeMs, state] with state 0 closed, 1 open, 2 half-open. */
  transitions: [number, number][];
}

export interface ThresholdResult {
  expression: string;
  policy: string;
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
  latency: Record<LatencyMetric, Summary>;
  tools: Record<string, ToolFigures>;
  tokens: TokenFigures;
  tokensPerCompletedWorkflow: Summary;
  cost: CostFigures;
  costPerCompletedWorkflow: Summary;
  storm: StormFigures;
  /** Time-averaged share of the server's workers busy and of the tunnel's in-flight slots held. */
  utilisation?: { server: number; relay: number };
  breaker: BreakerFigures;
  /** Goodput, workflow ends and wasted spend per report window (report/recovery.ts). */
  goodput?: GoodputSeries;
  /** Per fault window of the scenario: goodput before, during and after, recovery, the incident's cost. */
  recovery?: RecoveryFigures[];
  /** Every histogram as HdrHistogram compressed base64 (latency in µs). */
  histograms: Record<string, string>;
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
}

/** What merging and rendering need to know of the scenario. */
export interface ScenarioInfo {
  name: string;
  /** The scenario file as given on the command line (never made absolute). */
  file: string;
  /** Every policy of the scenario, in its order, with its resolved description and timeouts. */
  policies: { name: string; description: string; timeouts: Record<string, number | null> }[];
  pricing: {
    source: string;
    inputPerMTok: number;
    outputPerMTok: number;
    cacheReadMultiplier: number;
    cacheWriteMultiplier: number;
    cacheTtl: number;
    caching: 'explicit' | 'automatic' | 'none';
    /** The preset the prices came from, long-context tiers, and whether batch rates apply. */
    preset?: string;
    tiers?: { above: number; inputPerMTok: number; outputPerMTok: number }[];
    batch?: true;
  };
  windowMs: number;
  /** The scenario's thresholds, so a merged report is judged like the unsharded one. */
  thresholds: Record<string, string[]>;
  /** Pool sizes, for utilisation. */
  system?: { serverConcurrency: number; relayMaxInFlight: number };
  /** Where percentile timeouts got their percentiles; absent when no policy uses one (run/calibrate.ts). */
  calibration?: CalibrationInfo;
  /** The scenario's time-windowed faults that end, recovery is judged against (report/recovery.ts). */
  faultWindows?: FaultWindow[];
}

/** The calibration pass's figures: what `p95x1.5` was 1.5 × of, per tool. */
export interface CalibrationInfo {
  /**
   * The neutral pass's measured window (ms): warm-up discarded before `fromMs`, the drain after
   * `toMs`; `drift` is the rise of mean attempt latency from its first quarter to its last (above
   * 0.1 the queue was still growing); `extended`: the first pass was not steady, so it ran again
   * four times as long (run/calibrate.ts).
   */
  window?: { fromMs: number; toMs: number; warmup: 'auto' | 'fixed' | 'none'; drift: number; extended: boolean };
  /** Whether the pass ran the scenario's time-windowed faults. */
  faults: 'exclude' | 'include';
  /** Per tool: attempt latency percentiles (ms), the attempts they count, and where they came from. */
  tools: Record<string, { source: 'sim' | 'probe'; count: number; p50: number; p95: number; p99: number }>;
}

/** Raw, mergeable results of one world (policy × replication). */
export interface WorldRecord {
  id: string;
  policy: string;
  replication: number;
  counters: Record<string, number>;
  /** Per-tool counters. */
  tools: Record<string, Record<string, number>>;
  /** Per-step token totals by billing category and cost in nano-dollars (integers, so merges are exact). */
  perStep: { input: number[]; output: number[]; cacheRead: number[]; cacheWrite: number[]; cost?: number[] };
  storm: { attempts: number[]; offered: number[] };
  breakerTransitions: [number, number][];
  histograms: Record<string, string>;
  /** Goodput, workflow ends and wasted spend per window (absent in reports written before it). */
  timeline?: TimelineRecord;
}
