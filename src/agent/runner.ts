/**
 * The agent: runs one workflow as a kernel process, the ReAct way. Each step is an LLM turn
 * (reads the whole context, writes its output and the tool calls) followed by the step's tool
 * calls through the policy's caller; after the last step, a final turn reads the last results and
 * writes the answer (`workflow.finalTurn`). A failed call is either retried at the agent layer — the
 * error text joins the context and the LLM takes another full turn to re-issue it, billed like
 * any turn — or fails the workflow with the call's failure kind. Results join the context.
 * Before every turn the context strategy may drop old results, summarise, or fail the workflow
 * (`contextOverflow`); after every turn the spend cap may abort it (`spendCap`).
 *
 * `runWorkflow` is the control flow only; each named step is a method of `WorkflowRun`, which holds
 * the workflow's state (ledger, script, failure) so no step allocates closures.
 */
import type { Effect, ProcessHost } from '../kernel/process.js';
import { keyedUniform, Purpose } from '../kernel/rng.js';
import type { Recorder } from '../metrics/recorder.js';
import { backoffDelay } from '../policy/backoff.js';
import type { Breaker } from '../policy/breaker/breaker.js';
import { LogicalCall, type CallContext, type CallTransport, type Timers } from '../policy/caller.js';
import { retryable as isRetryable } from '../policy/retry.js';
import type { FailureKind, Policy } from '../policy/types.js';
import type { CallIdentity } from '../sim/attempt.js';
import { prepareContext } from '../tokens/context-strategy.js';
import { TokenLedger, type Turn } from '../tokens/ledger.js';
import { CallGroup } from './call-group.js';
import type { CallPlan, Scenario } from '../scenario/types.js';
import { makeScript, scriptContext, type CallResult, type StepRequest, type StepScript, type UserWorkflow } from './script.js';

export interface AgentEnv {
  /** The clock processes sleep on: the kernel in sim mode, a real-clock scheduler in live mode. */
  kernel: ProcessHost;
  /** Runs a workload process; default: a kernel `Process` on `kernel`. Live mode drives generators with real awaits. */
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
}

function stepKey(step: number, i: number): number {
  return step * 64 + i;
}

/** The logical calls of one step and how each ended (updated after every call group). */
interface StepCalls {
  plan: readonly CallPlan[];
  idents: CallIdentity[];
  outcome: ('ok' | FailureKind)[];
  endedAt: number[];
  codes: number[];
  /** When the step's first calls went out: each logical call's latency runs from here. */
  firstStart: number;
  /** Indexes of the calls the next group sends. */
  pending: number[];
}

export function* runWorkflow(env: AgentEnv, w: number, intendedStart: number): Generator<Effect, void, unknown> {
  const run = new WorkflowRun(env, w, intendedStart);
  let r = run.script.next(undefined as never);
  while (!r.done) {
    const first = run.turn(0, false);
    if (first === undefined) break;
    yield first;
    const calls = run.openStep(r.value.calls);
    if (!(yield* run.callRounds(calls))) break;
    const results = run.resolveCalls(calls);
    if (run.failure !== undefined) break;
    r = run.nextStep(results);
  }
  // The script is done: the LLM reads the last results and writes its answer.
  if (run.failure === undefined && env.sc.workflow.finalTurn) {
    const last = run.turn(0, false);
    if (last !== undefined) yield last;
  }
  run.finish();
}

/** One workflow's state and its named steps. */
class WorkflowRun {
  readonly script: StepScript;
  failure: string | undefined;
  private step = 0;
  private readonly ledger: TokenLedger;
  private readonly deadlineAt: number;
  private readonly capTokens: number;
  private readonly capNanos: number;

  constructor(
    private readonly env: AgentEnv,
    private readonly w: number,
    private readonly intendedStart: number,
  ) {
    const { sc, policy } = env;
    env.rec.c.workflowsStarted++;
    env.rec.timeline.workflowStarted(intendedStart);
    env.observer?.workflowStarted(intendedStart);
    this.ledger = new TokenLedger(sc.llm);
    this.deadlineAt = policy.deadline !== undefined ? intendedStart + policy.deadline : Infinity;
    this.script = makeScript(sc, scriptContext(env.seed, w, env.toolNames), env.module);
    this.capTokens = sc.llm.spendCap?.tokens ?? Infinity;
    this.capNanos = sc.llm.spendCap?.nanos ?? Infinity;
  }

  /** Records a billed turn: cache figures, tokens by step, LLM time. */
  private bill(t: Turn, isRetry: boolean): void {
    const rec = this.env.rec;
    if (this.env.sc.llm.pricing.caching !== 'none') {
      rec.c.cacheLookups++;
      if (t.cacheRead > 0) rec.c.cacheHits++;
      if (t.expired) rec.c.cacheExpiries++;
    }
    rec.tokens(this.step, t, isRetry);
    if (isRetry) rec.timeline.retryTurn(this.env.kernel.now(), t.nanos, t.context + t.output);
    rec.ms('llm', t.ms);
  }

  /**
   * A spend guard checks after each billed turn, as agent SDKs do: the turn that crosses the cap
   * is paid for, and the workflow stops before it calls its tools.
   */
  private overCap(): boolean {
    if (this.ledger.tokens <= this.capTokens && this.ledger.nanos <= this.capNanos) return false;
    this.env.rec.c.spendCapAborts++;
    this.failure = 'spendCap';
    return true;
  }

  /** One LLM turn (after the context strategy had its say); its duration, or undefined when the workflow fails. */
  turn(round: number, isRetry: boolean): number | undefined {
    const { rec, sc, kernel } = this.env;
    const llm = sc.llm;
    const ledger = this.ledger;
    const drops = ledger.drops;
    const results = ledger.droppedResults;
    const tokens = ledger.droppedTokens;
    const action = prepareContext(ledger, llm.contextStrategy, llm.contextWindow);
    if (ledger.drops !== drops) {
      rec.c.contextDrops += ledger.drops - drops;
      rec.c.droppedResults += ledger.droppedResults - results;
      rec.c.droppedTokens += ledger.droppedTokens - tokens;
    }
    if (action === 'overflow') {
      rec.c.overflows++;
      this.failure = 'contextOverflow';
      return undefined;
    }
    let ms = 0;
    if (action === 'summarize') {
      const summaryTokens = (llm.contextStrategy as { summaryTokens: number }).summaryTokens;
      const s = ledger.turn(kernel.now(), summaryTokens);
      rec.c.summaries++;
      rec.c.summaryCostNanos += s.nanos;
      this.bill(s, false);
      ms = s.ms;
      ledger.summarize(summaryTokens);
      if (this.overCap()) return undefined;
    }
    const out = Math.round(llm.outputTokensPerTurn.sample(keyedUniform(this.env.seed, this.w, this.step, round, Purpose.llmOutput)));
    const t = ledger.turn(kernel.now() + ms, out, isRetry);
    this.bill(t, isRetry);
    ledger.append(out);
    if (this.overCap()) return undefined;
    return ms + t.ms;
  }

  /** The step's logical calls, offered now. */
  openStep(plan: readonly CallPlan[]): StepCalls {
    const { rec, kernel } = this.env;
    const idents: CallIdentity[] = plan.map((c, i) => ({
      workflow: this.w,
      key: stepKey(this.step, i),
      tool: c.tool,
      nextAttempt: 0,
      executions: 0,
      serviceMs: c.serviceMs,
      resultTokens: c.fixedResultTokens,
    }));
    const firstStart = kernel.now();
    for (const id of idents) {
      rec.c.logicalCalls++;
      rec.tools[id.tool].logical++;
      rec.offered(firstStart);
    }
    return {
      plan,
      idents,
      outcome: idents.map(() => 'ok'),
      endedAt: idents.map(() => firstStart),
      codes: idents.map(() => 0),
      firstStart,
      pending: idents.map((_, i) => i),
    };
  }

  /**
   * Sends the pending calls as one group, then again after each agent-layer retry, until all
   * succeed or one fails for good. False when the workflow ended inside (a retry turn failed it).
   */
  *callRounds(s: StepCalls): Generator<Effect, boolean, unknown> {
    const { kernel, policy } = this.env;
    const retry = policy.retry;
    for (let agentAttempt = 1; ; agentAttempt++) {
      const group = this.callGroup(s);
      yield group;
      const calls = group.calls;
      s.pending.forEach((i, k) => {
        s.outcome[i] = calls[k].result;
        s.codes[i] = calls[k].errorCode;
        s.endedAt[i] = calls[k].endedAt;
      });
      const failed = s.pending.filter((i) => s.outcome[i] !== 'ok');
      if (failed.length === 0) return true;
      const retryable =
        retry.layer === 'agent' &&
        agentAttempt < retry.maxAttempts &&
        kernel.now() < this.deadlineAt &&
        failed.every((i) => isRetryable(retry, s.outcome[i] as FailureKind, s.codes[i]));
      if (!retryable) {
        this.failure = s.outcome[failed[0]];
        return true;
      }
      const delay = this.agentRetry(s, failed, agentAttempt);
      if (delay > 0) yield delay;
      const again = this.turn(agentAttempt, true);
      if (again === undefined) {
        // The workflow ends in the retry turn: the step's calls still ended, and are counted.
        this.recordCalls(s);
        return false;
      }
      yield again;
      s.pending = failed;
    }
  }

  /** The pending calls as one group of `LogicalCall`s, all issued now. */
  private callGroup(s: StepCalls): CallGroup {
    const env = this.env;
    const now = env.kernel.now();
    return new CallGroup(s.pending.length, (k, g) => {
      const id = s.idents[s.pending[k]];
      return new LogicalCall(env.callContexts[id.tool], id, env.timers[id.tool], this.deadlineAt, env.breakers[id.tool], g, now);
    });
  }

  /**
   * An agent-layer retry: the LLM reads the error, thinks again over the whole context, and
   * re-issues the failed calls. Returns the backoff before that retry turn.
   */
  private agentRetry(s: StepCalls, failed: readonly number[], agentAttempt: number): number {
    const { rec, sc, policy, seed } = this.env;
    rec.c.agentRetries += failed.length;
    this.ledger.appendResult(sc.llm.errorTokens * failed.length);
    const u = keyedUniform(seed, this.w, stepKey(this.step, failed[0]), agentAttempt, Purpose.jitter);
    return backoffDelay(policy.retry.backoff, agentAttempt, 0, u);
  }

  /** Records each logical call of the step: answered, or failed, from its first issue to its final outcome. */
  private recordCalls(s: StepCalls): void {
    const rec = this.env.rec;
    s.idents.forEach((id, i) => rec.callEnded(id.tool, s.endedAt[i] - s.firstStart, s.outcome[i] === 'ok'));
  }

  /** Resolves the step's logical calls: latency from the first issue to the final outcome, result sizes. */
  resolveCalls(s: StepCalls): CallResult[] {
    const { sc, seed } = this.env;
    this.recordCalls(s);
    let resultTokens = 0;
    const results: CallResult[] = s.idents.map((id, i) => {
      const ok = s.outcome[i] === 'ok';
      if (ok) this.env.rec.timeline.okCall(s.endedAt[i]);
      const size = s.plan[i].resultTokens ?? sc.tools[id.tool].resultTokens;
      const tokens = ok ? (this.env.measuredResultTokens?.(id) ?? Math.round(size.sample(keyedUniform(seed, this.w, id.key, 0, Purpose.resultTokens)))) : 0;
      resultTokens += tokens;
      return { tool: this.env.toolNames[id.tool], ok, outcome: s.outcome[i], resultTokens: tokens };
    });
    if (this.failure === undefined) this.ledger.appendResult(resultTokens);
    return results;
  }

  /** The results join the context; the script plans the next step. */
  nextStep(results: CallResult[]): IteratorResult<StepRequest, void> {
    const r = this.script.next({ ok: true, results });
    this.step++;
    return r;
  }

  /** Records the workflow's end: completed with its latency and spend, or failed with its reason. */
  finish(): void {
    const { rec, kernel } = this.env;
    const ledger = this.ledger;
    const now = kernel.now();
    if (this.failure !== undefined) {
      // Spend of a workflow that did not complete bought nothing: one part of the retry tax.
      rec.c.failedWorkflowCostNanos += ledger.nanos;
      rec.c.failedWorkflowTokens += ledger.tokens;
      rec.timeline.workflowFailed(now, ledger.nanos - ledger.retryNanos, ledger.tokens - ledger.retryTokens);
      rec.failWorkflow(this.failure, now, now - this.intendedStart);
      return;
    }
    rec.timeline.workflowCompleted(now);
    rec.completeWorkflow(now, now - this.intendedStart);
    rec.completedWorkflowTokens.recordValue(ledger.tokens);
    rec.completedWorkflowCostMicros.recordValue(Math.round(ledger.cost * 1e6));
  }
}
