/**
 * The agent's control flow (runner.ts) as a state machine driven by kernel events: the
 * simulator's path. A generator process costs a generator object, an iterator result per step
 * and a resumption through `Process`; a call group costs an object and a closure. Here the
 * workflow is one object that is its own kernel target and its calls' listener, and each wait is
 * one `kernel.after` on itself with the state as the event kind.
 *
 * How it maps onto `runWorkflow`: every `yield <ms>` there is one `kernel.after(ms, this, state)`
 * here, scheduled at the same moment, and every `yield group` is a round whose calls report to
 * `callDone`. A round whose calls all end while they are being started (a breaker that is open)
 * continues once the last one has started, as a `Process` resumes a waitable that completed
 * inside its own step. So the two forms schedule the same events in the same order and give the
 * same report byte for byte (test/agent/machine.test.ts).
 */
import type { ProcessHost } from '../kernel/process.js';
import type { EventTarget } from '../kernel/queue.js';
import type { CallListener, LogicalCall } from '../policy/caller.js';
import type { StepRequest } from './script.js';
import type { AgentEnv, StepCalls } from './agent-env.js';
import { WorkflowRun } from './workflow-run.js';

/** Told when a workflow ends (it has recorded its end). */
export interface WorkflowListener {
  workflowEnded(w: number): void;
}

const NO_CALLS: LogicalCall[] = [];

const TURN = 1;
const BACKOFF = 2;
const RETRY_TURN = 3;
const FINAL_TURN = 4;

export class WorkflowMachine implements EventTarget, CallListener {
  private readonly run: WorkflowRun;
  private readonly kernel: ProcessHost;
  private request: IteratorResult<StepRequest, void>;
  private s: StepCalls | undefined;
  private calls: LogicalCall[] = NO_CALLS;
  private remaining = 0;
  private starting = false;
  private agentAttempt = 1;

  constructor(
    private readonly env: AgentEnv,
    private readonly w: number,
    intendedStart: number,
    private readonly listener: WorkflowListener,
  ) {
    this.kernel = env.kernel;
    this.run = new WorkflowRun(env, w, intendedStart);
    this.request = this.run.script.next(undefined as never);
  }

  /** Runs the workflow up to its first wait (or to its end). */
  start(): void {
    this.nextTurn();
  }

  fire(kind: number): void {
    switch (kind) {
      case TURN:
        this.s = this.run.openStep(this.request.value as StepRequest);
        this.agentAttempt = 1;
        return this.round();
      case BACKOFF:
        return this.retryTurn();
      case RETRY_TURN:
        this.run.retryFailed(this.s!);
        this.agentAttempt++;
        return this.round();
      case FINAL_TURN:
        return this.end();
    }
  }

  /** The top of the step loop: the step's LLM turn, or the end of the script. */
  private nextTurn(): void {
    if (this.request.done) return this.finalTurn();
    const first = this.run.turn(0, false);
    if (first === undefined) return this.finalTurn();
    this.kernel.after(first, this, TURN);
  }

  /** Sends the pending calls as one group. */
  private round(): void {
    const s = this.s!;
    const n = s.pending.length;
    let calls = this.calls;
    // Sized to the round: a push into an empty array reserves sixteen slots (0.1 kB per workflow).
    if (calls.length < n) calls = this.calls = new Array<LogicalCall>(n);
    else if (calls.length > n) calls.length = n;
    for (let k = 0; k < n; k++) calls[k] = this.run.call(s, k, this);
    this.remaining = n;
    this.starting = true;
    for (let k = 0; k < n; k++) calls[k].start();
    this.starting = false;
    if (this.remaining === 0) this.roundEnded();
  }

  callDone(): void {
    if (--this.remaining === 0 && !this.starting) this.roundEnded();
  }

  private roundEnded(): void {
    const delay = this.run.roundEnded(this.s!, this.calls, this.agentAttempt);
    if (delay < 0) return this.stepEnded();
    if (delay > 0) this.kernel.after(delay, this, BACKOFF);
    else this.retryTurn();
  }

  private retryTurn(): void {
    const again = this.run.turn(this.agentAttempt, true);
    if (again === undefined) {
      // The workflow ends in the retry turn: the step's calls still ended, and are counted.
      this.run.recordCalls(this.s!);
      return this.finalTurn();
    }
    this.kernel.after(again, this, RETRY_TURN);
  }

  private stepEnded(): void {
    const run = this.run;
    const results = run.resolveCalls(this.s!);
    if (run.failure !== undefined) return this.finalTurn();
    this.request = run.nextStep(results);
    this.nextTurn();
  }

  /** The script is done (or the workflow failed): the LLM reads the last results and writes its answer. */
  private finalTurn(): void {
    if (this.run.failure === undefined && this.env.sc.workflow.finalTurn) {
      const last = this.run.turn(0, false);
      if (last !== undefined) {
        this.kernel.after(last, this, FINAL_TURN);
        return;
      }
    }
    this.end();
  }

  private end(): void {
    this.run.finish();
    this.listener.workflowEnded(this.w);
  }
}
