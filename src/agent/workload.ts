/**
 * Workloads: who starts workflows, and when.
 * - closed: `agents` agents, each running workflows back to back (plus think time). A workflow's
 *   intended start is the moment its agent became free.
 * - open: Poisson arrivals at `arrivalRate` per second; each arrival starts a workflow at once, so
 *   a slow system never delays the arrivals (coordinated-omission safe).
 * Both stop starting workflows after `workflows` have started or `duration` has passed, and the
 * world ends when the last started workflow finishes.
 */
import { Process, type Effect } from '../kernel/process.js';
import { keyedUniform, Purpose } from '../kernel/rng.js';
import { runWorkflow, type AgentEnv } from './runner.js';

export function startWorkload(env: AgentEnv, onIdle: () => void): void {
  const { kernel, sc, seed } = env;
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
    function* agent(): Generator<Effect, void, unknown> {
      while (mayStart()) {
        const w = started++;
        active++;
        yield* runWorkflow(env, w, kernel.now());
        active--;
        const think = wl.model === 'closed' ? wl.thinkTime.sample(keyedUniform(seed, w, 0, 0, Purpose.think)) : 0;
        if (think > 0) yield think;
      }
      if (--agentsLeft === 0) {
        starting = false;
        if (active === 0) onIdle();
      }
    }
    for (let i = 0; i < wl.agents; i++) new Process(kernel, agent()).start();
    return;
  }

  const meanGapMs = 1000 / wl.arrivalRate;
  function* workflow(w: number, at: number): Generator<Effect, void, unknown> {
    yield* runWorkflow(env, w, at);
    finished();
  }
  function* arrivals(): Generator<Effect, void, unknown> {
    for (;;) {
      const gap = -meanGapMs * Math.log(1 - keyedUniform(seed, started, 0, 0, Purpose.arrival));
      yield gap;
      if (!mayStart()) break;
      active++;
      new Process(kernel, workflow(started++, kernel.now())).start();
    }
    starting = false;
    if (active === 0) onIdle();
  }
  new Process(kernel, arrivals()).start();
}
