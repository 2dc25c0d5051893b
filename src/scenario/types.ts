/** The runtime scenario: validated, defaults filled, distributions compiled, times in milliseconds. */
import type { Sampler } from '../model/distribution.js';
import type { RateProfile } from '../model/rate.js';
import type { FaultEntry } from './fault-schema.js';
import type { Policy } from '../policy/types.js';
import type { Pricing } from '../tokens/pricing.js';
import type { ContextStrategy } from '../tokens/context-strategy.js';

export interface ToolSpec {
  name: string;
  /** Position in `Scenario.tools`: the index used in keyed draws and per-tool counters. */
  index: number;
  service: Sampler;
  resultTokens: Sampler;
  argTokens: number;
  idempotent: boolean;
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

export type WorkflowSpec =
  | { kind: 'sequence'; steps: number; order: 'round-robin' | 'weighted'; tools: number[]; weights: number[] }
  | { kind: 'list'; tools: number[] }
  | { kind: 'script'; nodes: ScriptNode[] }
  | { kind: 'module'; file: string }
  | { kind: 'trace'; sessions: CallPlan[][][] };

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

export interface Scenario {
  name: string;
  description?: string;
  file: string;
  seed: number;
  replications: number;
  workload: Workload;
  workflow: WorkflowSpec;
  llm: LlmSpec;
  relay: { processing: Sampler; maxInFlightPerTunnel: number; queue: number; reconnectBase: number; reconnectMax: number };
  network: { agentToRelay: Sampler; relayToServer: Sampler };
  server: { concurrency: number };
  tools: ToolSpec[];
  toolIndex: Record<string, number>;
  faults: FaultEntry[];
  policies: Policy[];
  thresholds: Record<string, string[]>;
  windowMs: number;
  /** The validated file data, for sweeps that rewrite a key and re-validate. */
  source: unknown;
  /** The data as parsed (before validation), so another thread can rebuild the same scenario (live mode's server worker). */
  raw?: unknown;
}
