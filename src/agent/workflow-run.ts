/**
 * One workflow's state and its named steps, shared by both drivers of the agent: the generator
 * (agent/runner.ts, for live mode and anything that drives processes itself) and the state
 * machine (agent/machine.ts, the simulator's path). The drivers hold only the control flow; every
 * effect on the ledger, the recorder and the calls happens here, in the same order for both.
 * Per step, only what must outlive the step is allocated (a call's identity, which zombie
 * attempts still count against, and its `LogicalCall`); the step's bookkeeping arrays are reused.
 */
import { keyedUniform, Purpose } from '../kernel/rng.js';
import { backoffDelay } from '../policy/backoff.js';
import { LogicalCall, type CallListener } from '../policy/caller.js';
import { retryable as isRetryable } from '../policy/retry.js';
import type { FailureKind } from '../policy/types.js';
import type { CallIdentity } from '../sim/attempt.js';
import { prepareContext } from '../tokens/context-strategy.js';
import { TokenLedger, type Turn } from '../tokens/ledger.js';
import { makeSteps, type CallResult, type StepRequest, type StepSource } from './script.js';
import type { AgentEnv, StepCalls } from './agent-env.js';

/** Spares a world keeps at most of each: enough for the workflows one world has in flight at once, in most runs. */
const MAX_SPARES = 1024;

function stepKey(step: number, i: number): number {
  return step * 64 + i;
}

const NO_RESULTS: CallResult[] = [];

export class WorkflowRun {
  readonly script: StepSource;
  failure: string | undefined;
  private step = 0;
  private readonly ledger: TokenLedger;
  private readonly deadlineAt: number;
  private readonly capTokens: number;
  private readonly capNanos: number;
  private readonly calls: StepCalls;

  constructor(
    private readonly env: AgentEnv,
    private readonly w: number,
    private readonly intendedStart: number,
  ) {
    const { sc, policy } = env;
    env.rec.c.workflowsStarted++;
    env.rec.timeline.workflowStarted(intendedStart);
    env.observer?.workflowStarted(intendedStart);
    this.ledger = env.spares?.ledgers.pop()?.reset() ?? new TokenLedger(sc.llm);
    this.deadlineAt = policy.deadline !== undefined ? intendedStart + policy.deadline : Infinity;
    this.script = makeSteps(sc, env.seed, w, env.toolNames, env.module);
    this.capTokens = sc.llm.spendCap?.tokens ?? Infinity;
    this.capNanos = sc.llm.spendCap?.nanos ?? Infinity;
    this.calls = env.spares?.steps.pop() ?? { plan: [], idents: [], outcome: [], endedAt: [], codes: [], firstStart: 0, pending: [], failed: [] };
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
    rec.latency.llm.recordValue(Math.round(t.ms * 1000));
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
    const perTurn = llm.outputTokensPerTurn;
    const out = Math.round(perTurn.fixed ?? perTurn.sample(keyedUniform(this.env.seed, this.w, this.step, round, Purpose.llmOutput)));
    const t = ledger.turn(kernel.now() + ms, out, isRetry);
    this.bill(t, isRetry);
    ledger.append(out);
    if (this.overCap()) return undefined;
    return ms + t.ms;
  }

  /** The step's logical calls, offered now. */
  openStep(request: StepRequest): StepCalls {
    const { rec, kernel } = this.env;
    const plan = request.calls;
    const s = this.calls;
    const firstStart = kernel.now();
    s.plan = plan;
    s.firstStart = firstStart;
    const n = plan.length;
    // Arrays grow by push and shrink only when a step is smaller: setting an array's length is a
    // runtime call, which on every workflow's first step cost an eighth of the run.
    if (s.idents.length > n) {
      s.idents.length = n;
      s.outcome.length = n;
      s.endedAt.length = n;
      s.codes.length = n;
    }
    if (s.pending.length > n) s.pending.length = n;
    for (let i = 0; i < n; i++) {
      const c = plan[i];
      const id: CallIdentity = {
        workflow: this.w,
        key: stepKey(this.step, i),
        tool: c.tool,
        nextAttempt: 0,
        executions: 0,
        serviceMs: c.serviceMs,
        resultTokens: c.fixedResultTokens,
      };
      if (i < s.idents.length) {
        s.idents[i] = id;
        s.outcome[i] = 'ok';
        s.endedAt[i] = firstStart;
        s.codes[i] = 0;
      } else {
        s.idents.push(id);
        s.outcome.push('ok');
        s.endedAt.push(firstStart);
        s.codes.push(0);
      }
      if (i < s.pending.length) s.pending[i] = i;
      else s.pending.push(i);
    }
    for (let i = 0; i < n; i++) {
      const tool = s.idents[i].tool;
      rec.c.logicalCalls++;
      rec.tools[tool].logical++;
      rec.offered(firstStart);
    }
    return s;
  }

  /** The k-th pending call of the step as a `LogicalCall` issued now, reporting to `listener`. */
  call(s: StepCalls, k: number, listener: CallListener): LogicalCall {
    const env = this.env;
    const id = s.idents[s.pending[k]];
    return new LogicalCall(env.callContexts[id.tool], id, env.timers[id.tool], this.deadlineAt, env.breakers[id.tool], listener, env.kernel.now());
  }

  /**
   * A call group ended (`calls[k]` sent for `s.pending[k]`): takes their outcomes and decides.
   * Returns -1 when the step is over (all answered, or the workflow failed: `failure` is set), else
   * the backoff before an agent-layer retry turn that re-issues the failed calls (`s.failed`).
   */
  roundEnded(s: StepCalls, calls: readonly LogicalCall[], agentAttempt: number): number {
    const { kernel, policy } = this.env;
    const retry = policy.retry;
    const pending = s.pending;
    const failed = s.failed;
    if (failed.length > 0) failed.length = 0;
    for (let k = 0; k < pending.length; k++) {
      const i = pending[k];
      const c = calls[k];
      s.outcome[i] = c.result;
      s.codes[i] = c.errorCode;
      s.endedAt[i] = c.endedAt;
      if (c.result !== 'ok') failed.push(i);
    }
    if (failed.length === 0) return -1;
    let retryable = retry.layer === 'agent' && agentAttempt < retry.maxAttempts && kernel.now() < this.deadlineAt;
    for (let k = 0; retryable && k < failed.length; k++) retryable = isRetryable(retry, s.outcome[failed[k]] as FailureKind, s.codes[failed[k]]);
    if (!retryable) {
      this.failure = s.outcome[failed[0]];
      return -1;
    }
    return this.agentRetry(s, failed, agentAttempt);
  }

  /** The retry turn went out: the failed calls are the ones the next group sends. */
  retryFailed(s: StepCalls): void {
    const pending = s.pending;
    s.pending = s.failed;
    s.failed = pending;
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
  recordCalls(s: StepCalls): void {
    const rec = this.env.rec;
    for (let i = 0; i < s.idents.length; i++) rec.callEnded(s.idents[i].tool, s.endedAt[i] - s.firstStart, s.outcome[i] === 'ok');
  }

  /** Resolves the step's logical calls: latency from the first issue to the final outcome, result sizes. */
  resolveCalls(s: StepCalls): CallResult[] {
    const { sc, seed } = this.env;
    this.recordCalls(s);
    let resultTokens = 0;
    const results = this.script.readsResults ? [] : NO_RESULTS;
    for (let i = 0; i < s.idents.length; i++) {
      const id = s.idents[i];
      const ok = s.outcome[i] === 'ok';
      if (ok) this.env.rec.timeline.okCall(s.endedAt[i]);
      const size = s.plan[i].resultTokens ?? sc.tools[id.tool].resultTokens;
      const tokens = ok ? (this.env.measuredResultTokens?.(id) ?? Math.round(size.fixed ?? size.sample(keyedUniform(seed, this.w, id.key, 0, Purpose.resultTokens)))) : 0;
      resultTokens += tokens;
      if (results !== NO_RESULTS) results.push({ tool: this.env.toolNames[id.tool], ok, outcome: s.outcome[i], resultTokens: tokens });
    }
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
      return this.release();
    }
    rec.timeline.workflowCompleted(now);
    rec.completeWorkflow(now, now - this.intendedStart);
    rec.completedWorkflowTokens.recordValue(ledger.tokens);
    rec.completedWorkflowCostMicros.recordValue(Math.round(ledger.cost * 1e6));
    this.release();
  }

  /** Hands the step bookkeeping and the ledger, read for the last time, to the world's spares. */
  private release(): void {
    const spares = this.env.spares;
    if (!spares) return;
    if (spares.steps.length < MAX_SPARES) spares.steps.push(this.calls);
    if (spares.ledgers.length < MAX_SPARES) spares.ledgers.push(this.ledger);
  }
}
