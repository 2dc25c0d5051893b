/** The runtime scenario: validated, defaults filled, distributions compiled, times in milliseconds. */
import type { Sampler } from '../model/distribution.js';
import type { RateProfile } from '../model/rate.js';
import type { FaultEntry } from './fault-schema.js';
import type { Policy, SheddingSpec } from '../policy/types.js';
import type { Pricing } from '../tokens/pricing.js';
import type { ContextStrategy } from '../tokens/context-strategy.js';

/** One network hop (agent↔relay, or relay↔server through the connector's tunnel). Times in ms. */
export interface LinkSpec {
  /** One-way delay per message. */
  latency: Sampler;
  /** Correlation of this hop's delays between the attempts of one logical call (model/correlation.ts). */
  attemptCorrelation: number;
  /** A request's response stream through the hop is reset after this long (Infinity: never). */
  maxStreamMs: number;
  /** A stream silent this long is closed; tool calls send nothing while they run (Infinity: never). */
  idleTimeoutMs: number;
}

export interface ToolSpec {
  name: string;
  /** Position in `Scenario.tools`: the index used in keyed draws and per-tool counters. */
  index: number;
  service: Sampler;
  resultTokens: Sampler;
  argTokens: number;
  idempotent: boolean;
  /** Correlation of service times between the attempts of one logical call (model/correlation.ts). */
  attemptCorrelation: number;
  /** Only reads: upstreams built from the scenario mark it `readOnlyHint` (never derived from `idempotent`). */
  readOnly: boolean;
  /** Live mode: argument template of each call (tunnel/tool-args.ts). */
  args?: Record<string, unknown>;
}

/** One call in a scripted step; sizes override the tool's defaults. */
export interface CallPlan {
  tool: number;
  argTokens?: number;
  resultTokens?: Sampler;
  /** A replayed call's server time (ms), instead of a draw from the tool's service distribution. */
  serviceMs?: number;
  /** A replayed call's exact result size (tokens), which a live upstream must produce. */
  fixedResultTokens?: number;
}

export type ScriptNode =
  | { kind: 'calls'; calls: CallPlan[] }
  | { kind: 'branch'; probability: number; then: ScriptNode[]; else: ScriptNode[] }
  | { kind: 'repeat'; times: number; steps: ScriptNode[] };

/** What the agent does, step by step. */
export type WorkflowShape =
  | { kind: 'sequence'; steps: number; order: 'round-robin' | 'weighted'; tools: number[]; weights: number[] }
  | { kind: 'list'; tools: number[] }
  | { kind: 'script'; nodes: ScriptNode[] }
  | { kind: 'module'; file: string }
  | { kind: 'trace'; sessions: CallPlan[][][] };

export type WorkflowSpec = WorkflowShape & {
  /** After the last tool call, one more LLM turn reads the whole context and answers (billed and timed like any turn). */
  finalTurn: boolean;
};

export interface LlmSpec {
  contextWindow: number;
  systemTokens: number;
  toolSchemaTokens: number;
  taskTokens: number;
  errorTokens: number;
  outputTokensPerTurn: Sampler;
  ttft: number;
  outputTokensPerSec: number;
  prefillTokensPerSec: number;
  pricing: Pricing;
  /** What the agent does when the context grows past its limit (tokens/context-strategy.ts). */
  contextStrategy: ContextStrategy;
  /** Per-workflow spend guard; absent fields do not cap. Dollars as integer nano-dollars. */
  spendCap?: { tokens?: number; nanos?: number };
}

export type Workload =
  | { model: 'closed'; agents: number; workflows?: number; duration?: number; thinkTime: Sampler }
  | {
      model: 'open';
      /** The arrival rate over time (already multiplied by `rateScale`). */
      rate: RateProfile;
      arrival: 'poisson' | 'uniform';
      bursts: { at?: number; every?: number; size: number }[];
      workflows?: number;
      duration?: number;
    };

/** What a run may ask of the machine before it is refused (scenario/work.ts; `limits:` in the file). */
export interface WorkLimits {
  /** Logical tool calls over the whole run (every world). @default 1e9 */
  calls: number;
  /** Time-series windows (`report.window` each) in one world's simulated time. @default 1e6 */
  windows: number;
  /** Worlds in the run: policies × replications. @default 10000 */
  worlds: number;
  /** Steps of one workflow (per-step token figures are kept per step). @default 10000 */
  steps: number;
}

/** Replications `run` makes when the scenario sets none (live, sweep, capacity and tune make 1). */
export const DEFAULT_REPLICATIONS = 5;

/** Where percentile timeouts get their percentiles (scenario/calibration-schema.ts). Times in ms. */
export interface CalibrationSpec {
  /** Discarded from the neutral pass's start: `auto` (MSER-5) or a fixed time. */
  warmup: 'auto' | number;
  faults: 'exclude' | 'include';
  /** The neutral pass's length instead of the workload's own limits. */
  duration?: number;
  /** Per tool index: probed latencies (ms) from `calibration.probe`, or undefined for the neutral pass. */
  probed: (number[] | undefined)[];
  /** The probe directory as written in the scenario. */
  probeDir?: string;
}

export interface Scenario {
  name: string;
  description?: string;
  file: string;
  seed: number;
  /** Unset: each command's default (run/sim.ts DEFAULT_REPLICATIONS for `run`, 1 elsewhere). */
  replications?: number;
  workload: Workload;
  workflow: WorkflowSpec;
  llm: LlmSpec;
  relay: {
    processing: Sampler;
    maxInFlightPerTunnel: number;
    queue: number;
    reconnectBase: number;
    reconnectMax: number;
    /** Load shedding on queueing delay for every policy that does not set its own. */
    shedding?: SheddingSpec;
  };
  network: { agentToRelay: LinkSpec; relayToServer: LinkSpec };
  server: { concurrency: number };
  tools: ToolSpec[];
  toolIndex: Record<string, number>;
  faults: FaultEntry[];
  calibration: CalibrationSpec;
  policies: Policy[];
  thresholds: Record<string, string[]>;
  windowMs: number;
  limits: WorkLimits;
  /** What the verdict optimises, subject to the thresholds and the completion floor. */
  verdict: { objective: string; maximize: boolean; completionFloor: number };
  /** The validated file data, for sweeps that rewrite a key and re-validate. */
  source: unknown;
  /** The data as parsed (before validation), so another thread can rebuild the same scenario (live mode's server worker). */
  raw?: unknown;
}
