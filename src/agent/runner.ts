/**
 * The agent: runs one workflow, the ReAct way. Each step is an LLM turn (reads the whole context,
 * writes its output and the tool calls) followed by the step's tool calls through the policy's
 * caller; after the last step, a final turn reads the last results and writes the answer
 * (`workflow.finalTurn`). A failed call is either retried at the agent layer — the error text joins
 * the context and the LLM takes another full turn to re-issue it, billed like any turn — or fails
 * the workflow with the call's failure kind. Results join the context. Before every turn the
 * context strategy may drop old results, summarise, or fail the workflow (`contextOverflow`);
 * after every turn the spend cap may abort it (`spendCap`).
 *
 * This file holds that control flow as a generator, for drivers that run processes themselves
 * (live mode's real-clock driver). The simulator runs the same flow as a state machine
 * (machine.ts); each named step is a method of `WorkflowRun` (workflow-run.ts), shared by both.
 */
import type { Effect } from '../kernel/process.js';
import { CallGroup } from './call-group.js';
import type { AgentEnv, StepCalls } from './agent-env.js';
import { WorkflowRun } from './workflow-run.js';

export type { AgentEnv } from './agent-env.js';

export function* runWorkflow(env: AgentEnv, w: number, intendedStart: number): Generator<Effect, void, unknown> {
  const run = new WorkflowRun(env, w, intendedStart);
  let r = run.script.next(undefined as never);
  while (!r.done) {
    const first = run.turn(0, false);
    if (first === undefined) break;
    yield first;
    const calls = run.openStep(r.value);
    if (!(yield* callRounds(run, calls))) break;
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

/**
 * Sends the pending calls as one group, then again after each agent-layer retry, until all
 * succeed or one fails for good. False when the workflow ended inside (a retry turn failed it).
 */
function* callRounds(run: WorkflowRun, s: StepCalls): Generator<Effect, boolean, unknown> {
  for (let agentAttempt = 1; ; agentAttempt++) {
    const group = new CallGroup(s.pending.length, (k, g) => run.call(s, k, g));
    yield group;
    const delay = run.roundEnded(s, group.calls, agentAttempt);
    if (delay < 0) return true;
    if (delay > 0) yield delay;
    const again = run.turn(agentAttempt, true);
    if (again === undefined) {
      // The workflow ends in the retry turn: the step's calls still ended, and are counted.
      run.recordCalls(s);
      return false;
    }
    yield again;
    run.retryFailed(s);
  }
}
