/**
 * What a workflow run is given and keeps: the agent's environment (one per world and policy), the
 * world's spare per-workflow state, and one step's call bookkeeping. Types only; the run itself is
 * agent/workflow-run.ts.
 */
import type { Effect, ProcessHost } from '../kernel/process.js';
import type { Recorder } from '../metrics/recorder.js';
import type { Breaker } from '../policy/breaker/breaker.js';
import type { CallContext, CallTransport, Timers } from '../policy/caller.js';
import type { FailureKind, Policy } from '../policy/types.js';
import type { CallIdentity } from '../sim/attempt.js';
import type { TokenLedger } from '../tokens/ledger.js';
import type { CallPlan, Scenario } from '../scenario/types.js';
import type { UserWorkflow } from './script.js';

export interface AgentEnv {
  /** The clock processes sleep on: the kernel in sim mode, a real-clock scheduler in live mode. */
  kernel: ProcessHost;
  /**
   * Runs a workload process. Given (live mode drives generators with real awaits), workflows run
   * as generators; absent, as kernel state machines (agent/machine.ts).
   */
  spawn?: (gen: Generator<Effect, void, unknown>) => void;
  /** Live mode: the measured result tokens of a finished call (real payloads), used instead of the drawn size. */
  measuredResultTokens?: (ident: CallIdentity) => number | undefined;
  sc: Scenario;
  policy: Policy;
  rec: Recorder;
  seed: number;
  transport: CallTransport;
  /** Timeout timers per tool index (undefined: no timeout). */
  timers: (Timers | undefined)[];
  /** Breaker per tool index (the same object for all tools when scoped per tunnel). */
  breakers: (Breaker | undefined)[];
  module?: UserWorkflow;
  toolNames: string[];
  /** The caller's context per tool index (built once per world). */
  callContexts: CallContext[];
  /** Told when each workflow starts (the calibration pass's steady-state recorder). */
  observer?: { workflowStarted(t: number): void };
  /** What finished workflows handed back for the next ones to reuse (the world's own; absent: each workflow allocates its own). */
  spares?: WorkflowSpares;
}

/**
 * A world's spare per-workflow state. Step bookkeeping whose arrays have grown to a step's size
 * (fresh ones grew from empty on every workflow's first step, 0.8 kB per M/M/1 customer), and
 * token ledgers (reset, with their reused turn record). All of one world's workflows share its
 * `llm` block, so any ledger fits any workflow.
 */
export interface WorkflowSpares {
  steps: StepCalls[];
  ledgers: TokenLedger[];
}

/** The logical calls of one step and how each ended (updated after every call group). One per workflow, reused step after step. */
export interface StepCalls {
  plan: readonly CallPlan[];
  idents: CallIdentity[];
  outcome: ('ok' | FailureKind)[];
  endedAt: number[];
  codes: number[];
  /** When the step's first calls went out: each logical call's latency runs from here. */
  firstStart: number;
  /** Indexes of the calls the next group sends. */
  pending: number[];
  /** Indexes of the calls the last group failed (swapped into `pending` for an agent-layer retry). */
  failed: number[];
}
