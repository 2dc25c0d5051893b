/**
 * The agent: runs one workflow as a kernel process, the ReAct way. Each step is an LLM turn
 * (reads the whole context, writes its output and the tool calls) followed by the step's tool
 * calls through the policy's caller. A failed call is either retried at the agent layer — the
 * error text joins the context and the LLM takes another full turn to re-issue it, billed like
 * any turn — or fails the workflow with the call's failure kind. Results join the context.
 * Before every turn the context strategy may drop old results, summarise, or fail the workflow
 * (`contextOverflow`); after every turn the spend cap may abort it (`spendCap`).
 */
import type { Effect, ProcessHost, Resumable, Waitable } from '../kernel/process.js';
import { keyedUniform, Purpose } from '../kernel/rng.js';
import type { Recorder } from '../metrics/recorder.js';
import { backoffDelay } from '../policy/backoff.js';
import type { Breaker } from '../policy/breaker/breaker.js';
import { LogicalCall, type CallContext, type CallListener, type CallTransport, type Timers } from '../policy/caller.js';
import { retryable as isRetryable } from '../policy/retry.js';
import type { FailureKind, Policy } from '../policy/types.js';
import type { CallIdentity } from '../sim/attempt.js';
import type { Scenario } from '../scenario/types.js';
import { prepareContext } from '../tokens/context-strategy.js';
import { TokenLedger, type Turn } from '../tokens/ledger.js';
import { makeScript, scriptContext, type CallResult, type UserWorkflow } from './script.js';

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
}

/** Waits for a group of calls made in parallel. */
class CallGroup implements Waitable, CallListener {
  readonly calls: LogicalCall[];
  private remaining: number;
  private process: Resumable | undefined;
  constructor(n: number, make: (k: number, group: CallGroup) => LogicalCall) {
    this.calls = [];
    for (let k = 0; k < n; k++) this.calls.push(make(k, this));
    this.remaining = n;
  }
  await(p: Resumable): void {
    this.process = p;
    for (const c of this.calls) c.start();
  }
  callDone(): void {
    if (--this.remaining === 0) this.process!.resume(this);
  }
}

function stepKey(step: number, i: number): number {
  return step * 64 + i;
}

export function* runWorkflow(env: AgentEnv, w: number, intendedStart: number): Generator<Effect, void, unknown> {
  const { kernel, sc, policy, rec, seed } = env;
  const llm = sc.llm;
  rec.c.workflowsStarted++;
  const ledger = new TokenLedger(llm);
  const deadlineAt = policy.deadline !== undefined ? intendedStart + policy.deadline : Infinity;
  const script = makeScript(sc, scriptContext(seed, w, env.toolNames), env.module);
  const retry = policy.retry;
  let failure: string | undefined;
  let step = 0;

  const capTokens = llm.spendCap?.tokens ?? Infinity;
  const capNanos = llm.spendCap?.nanos ?? Infinity;
  const bill = (t: Turn, isRetry: boolean): void => {
    if (llm.pricing.caching !== 'none') {
      rec.c.cacheLookups++;
      if (t.cacheRead > 0) rec.c.cacheHits++;
      if (t.expired) rec.c.cacheExpiries++;
    }
    rec.tokens(step, t, isRetry);
    rec.ms('llm', t.ms);
  };
  // A spend guard checks after each billed turn, as agent SDKs do: the turn that crosses the cap
  // is paid for, and the workflow stops before it calls its tools.
  const overCap = (): boolean => {
    if (ledger.tokens <= capTokens && ledger.nanos <= capNanos) return false;
    rec.c.spendCapAborts++;
    failure = 'spendCap';
    return true;
  };

  /** One LLM turn (after the context strategy had its say); its duration, or undefined when the workflow fails. */
  const turn = (round: number, isRetry: boolean): number | undefined => {
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
      failure = 'contextOverflow';
      return undefined;
    }
    let ms = 0;
    if (action === 'summarize') {
      const summaryTokens = (llm.contextStrategy as { summaryTokens: number }).summaryTokens;
      const s = ledger.turn(kernel.now(), summaryTokens);
      rec.c.summaries++;
      rec.c.summaryCostNanos += s.nanos;
      bill(s, false);
      ms = s.ms;
      ledger.summarize(summaryTokens);
      if (overCap()) return undefined;
    }
    const out = Math.round(llm.outputTokensPerTurn.sample(keyedUniform(seed, w, step, round, Purpose.llmOutput)));
    const t = ledger.turn(kernel.now() + ms, out, isRetry);
    bill(t, isRetry);
    ledger.append(out);
    if (overCap()) return undefined;
    return ms + t.ms;
  };

  let r = script.next(undefined as never);
  outer: while (!r.done) {
    const plan = r.value.calls;
    const first = turn(0, false);
    if (first === undefined) break;
    yield first;
    const idents: CallIdentity[] = plan.map((c, i) => ({
      workflow: w,
      key: stepKey(step, i),
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
    const outcome: ('ok' | FailureKind)[] = idents.map(() => 'ok');
    const endedAt: number[] = idents.map(() => firstStart);
    const codes: number[] = idents.map(() => 0);
    let pending = idents.map((_, i) => i);
    for (let agentAttempt = 1; ; agentAttempt++) {
      const now = kernel.now();
      const group = new CallGroup(pending.length, (k, g) => {
        const id = idents[pending[k]];
        return new LogicalCall(env.callContexts[id.tool], id, env.timers[id.tool], deadlineAt, env.breakers[id.tool], g, now);
      });
      yield group;
      const calls = group.calls;
      pending.forEach((i, k) => {
        outcome[i] = calls[k].result;
        codes[i] = calls[k].errorCode;
        endedAt[i] = calls[k].endedAt;
      });
      const failed = pending.filter((i) => outcome[i] !== 'ok');
      if (failed.length === 0) break;
      const retryable =
        retry.layer === 'agent' && agentAttempt < retry.maxAttempts && kernel.now() < deadlineAt && failed.every((i) => isRetryable(retry, outcome[i] as FailureKind, codes[i]));
      if (!retryable) {
        failure = outcome[failed[0]];
        break;
      }
      // The LLM reads the error, thinks again over the whole context, and re-issues the calls.
      rec.c.agentRetries += failed.length;
      ledger.appendResult(llm.errorTokens * failed.length);
      const u = keyedUniform(seed, w, stepKey(step, failed[0]), agentAttempt, Purpose.jitter);
      const delay = backoffDelay(retry.backoff, agentAttempt, 0, u);
      if (delay > 0) yield delay;
      const again = turn(agentAttempt, true);
      if (again === undefined) break outer;
      yield again;
      pending = failed;
    }
    // Resolve the logical calls: latency from the first issue to the final outcome.
    let resultTokens = 0;
    const results: CallResult[] = idents.map((id, i) => {
      const latency = endedAt[i] - firstStart;
      rec.ms('call', latency);
      rec.tools[id.tool].call.recordValue(Math.round(latency * 1000));
      const ok = outcome[i] === 'ok';
      if (!ok) {
        rec.c.callsFailed++;
        rec.tools[id.tool].failed++;
      }
      const size = plan[i].resultTokens ?? sc.tools[id.tool].resultTokens;
      const tokens = ok ? (env.measuredResultTokens?.(id) ?? Math.round(size.sample(keyedUniform(seed, w, id.key, 0, Purpose.resultTokens)))) : 0;
      resultTokens += tokens;
      return { tool: env.toolNames[id.tool], ok, outcome: outcome[i], resultTokens: tokens };
    });
    if (failure !== undefined) break;
    ledger.appendResult(resultTokens);
    r = script.next({ ok: true, results });
    step++;
  }
  if (failure !== undefined) {
    // Spend of a workflow that did not complete bought nothing: the abandoned part of the retry tax.
    rec.c.abandonedCostNanos += ledger.nanos - ledger.retryNanos;
    rec.c.abandonedTokens += ledger.tokens - ledger.retryTokens;
    rec.failWorkflow(failure);
    return;
  }
  rec.c.workflowsCompleted++;
  rec.ms('workflow', kernel.now() - intendedStart);
  rec.tokensPerCompleted.recordValue(ledger.tokens);
  rec.costPerCompletedMicros.recordValue(Math.round(ledger.cost * 1e6));
}
