/**
 * Workloads: who starts workflows, and when.
 * - closed: `agents` agents, each running workflows back to back (plus think time). A workflow's
 *   intended start is the moment its agent became free.
 * - open: arrivals from a rate profile (constant, ramped stages, or a daily CSV), Poisson or evenly
 *   spaced, plus bursts; each arrival starts a workflow at once, so a slow system never delays the
 *   arrivals (coordinated-omission safe).
 * Both stop starting workflows after `workflows` have started or `duration` has passed, and the
 * world ends when the last started workflow finishes.
 */
import { Process, type Effect, type ProcessHost } from '../kernel/process.js';
import type { EventTarget } from '../kernel/queue.js';
import { keyedUniform, Purpose } from '../kernel/rng.js';
import { WorkflowMachine, type WorkflowListener } from './machine.js';
import { runWorkflow, type AgentEnv } from './runner.js';

/** What a closed-model agent shares with the others of its world. */
interface AgentPool {
  mayStart(): boolean;
  /** Counts a workflow in; returns its number. */
  begin(): number;
  /** Counts a workflow out; returns the think time before the agent's next one. */
  end(w: number): number;
  /** The agent starts no more workflows. */
  retire(): void;
}

/**
 * A closed-model agent as a state machine (the simulator's path): workflows back to back, with
 * think time between, as the `agent` generator below runs them. A workflow that ends inside its
 * own start (it failed on its first turn) lets the loop go on instead of recursing.
 */
class MachineAgent implements EventTarget, WorkflowListener {
  private inStart = false;
  private endedInStart = false;

  constructor(
    private readonly env: AgentEnv,
    private readonly pool: AgentPool,
  ) {}

  fire(): void {
    this.next();
  }

  next(): void {
    const pool = this.pool;
    while (pool.mayStart()) {
      const w = pool.begin();
      this.inStart = true;
      this.endedInStart = false;
      new WorkflowMachine(this.env, w, this.env.kernel.now(), this).start();
      this.inStart = false;
      if (!this.endedInStart || this.rest(w)) return;
    }
    pool.retire();
  }

  workflowEnded(w: number): void {
    if (this.inStart) this.endedInStart = true;
    else if (!this.rest(w)) this.next();
  }

  /** Counts the workflow out; true when the agent now thinks (it resumes on the kernel). */
  private rest(w: number): boolean {
    const think = this.pool.end(w);
    if (!(think > 0)) return false;
    this.env.kernel.after(think, this, 0);
    return true;
  }
}

export function startWorkload(env: AgentEnv, onIdle: () => void): void {
  const { kernel, sc, seed } = env;
  const run = env.spawn ?? ((gen: Generator<Effect, void, unknown>) => new Process(kernel, gen).start());
  // Workflows run as state machines unless a driver of its own runs generators (live mode).
  const machines = env.spawn === undefined;
  const wl = sc.workload;
  const maxWorkflows = wl.workflows ?? Infinity;
  const until = wl.duration ?? Infinity;
  let started = 0;
  let active = 0;
  let starting = true;
  const mayStart = () => starting && started < maxWorkflows && kernel.now() < until;
  const finished = () => {
    if (--active === 0 && !starting) onIdle();
  };

  if (wl.model === 'closed') {
    let agentsLeft = wl.agents;
    const pool: AgentPool = {
      mayStart,
      begin: () => {
        active++;
        return started++;
      },
      end: (w) => {
        active--;
        return wl.thinkTime.sample(keyedUniform(seed, w, 0, 0, Purpose.think));
      },
      retire: () => {
        if (--agentsLeft === 0) {
          starting = false;
          if (active === 0) onIdle();
        }
      },
    };
    function* agent(): Generator<Effect, void, unknown> {
      while (mayStart()) {
        const w = pool.begin();
        yield* runWorkflow(env, w, kernel.now());
        const think = pool.end(w);
        if (think > 0) yield think;
      }
      pool.retire();
    }
    for (let i = 0; i < wl.agents; i++) {
      if (machines) new MachineAgent(env, pool).next();
      else run(agent());
    }
    return;
  }

  // Arrival n happens when Λ(t) reaches Sₙ (time rescaling, model/rate.ts): Poisson draws Sₙ as a
  // sum of keyed Exp(1), uniform spacing takes Sₙ = n. Arrival times never depend on the policy.
  const open = wl;
  function* workflow(w: number, at: number): Generator<Effect, void, unknown> {
    yield* runWorkflow(env, w, at);
    finished();
  }
  const ended: WorkflowListener = { workflowEnded: finished };
  const spawn = () => {
    active++;
    if (machines) new WorkflowMachine(env, started++, kernel.now(), ended).start();
    else run(workflow(started++, kernel.now()));
  };
  let streams = 1 + open.bursts.length;
  const streamDone = () => {
    if (--streams === 0) {
      starting = false;
      if (active === 0) onIdle();
    }
  };
  // Sₙ of the unit-rate process; each call moves it on by one arrival and returns that arrival's time (Infinity: no more).
  let s = 0;
  const nextArrival = (n: number): number => {
    s += open.arrival === 'uniform' ? 1 : -Math.log(1 - keyedUniform(seed, n, 0, 0, Purpose.arrival));
    const at = open.rate.inverse(s);
    return !(at < until) || !Number.isFinite(at) ? Infinity : at;
  };
  function* arrivals(): Generator<Effect, void, unknown> {
    for (let n = 0; ; n++) {
      const at = nextArrival(n);
      if (at === Infinity) break;
      yield at - kernel.now();
      if (!mayStart()) break;
      spawn();
    }
    streamDone();
  }
  function* burst(b: { at?: number; every?: number; size: number }): Generator<Effect, void, unknown> {
    for (let k = 1; ; k++) {
      const at = b.at ?? b.every! * k;
      if (!(at < until)) break;
      yield at - kernel.now();
      for (let i = 0; i < b.size && mayStart(); i++) spawn();
      if (b.at !== undefined || !mayStart()) break;
    }
    streamDone();
  }
  if (machines) new MachineArrivals(kernel, nextArrival, mayStart, spawn, streamDone).next();
  else run(arrivals());
  for (const b of open.bursts) run(burst(b));
}

/**
 * The `arrivals` stream above as a state machine (the simulator's path): one kernel event per
 * arrival on this object instead of a generator resumed through a `Process`, scheduled at the
 * same moment with the same delay, so the events and their order are the generator's.
 */
class MachineArrivals implements EventTarget {
  private n = 0;

  constructor(
    private readonly kernel: ProcessHost,
    private readonly nextArrival: (n: number) => number,
    private readonly mayStart: () => boolean,
    private readonly spawn: () => void,
    private readonly done: () => void,
  ) {}

  /** Schedules the next arrival, or ends the stream. */
  next(): void {
    const at = this.nextArrival(this.n++);
    if (at === Infinity) return this.done();
    this.kernel.after(at - this.kernel.now(), this, 0);
  }

  fire(): void {
    if (!this.mayStart()) return this.done();
    this.spawn();
    this.next();
  }
}
