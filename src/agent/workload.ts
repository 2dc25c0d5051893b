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
import { Process, type Effect } from '../kernel/process.js';
import { keyedUniform, Purpose } from '../kernel/rng.js';
import { runWorkflow, type AgentEnv } from './runner.js';

export function startWorkload(env: AgentEnv, onIdle: () => void): void {
  const { kernel, sc, seed } = env;
  const run = env.spawn ?? ((gen: Generator<Effect, void, unknown>) => new Process(kernel, gen).start());
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
    for (let i = 0; i < wl.agents; i++) run(agent());
    return;
  }

  // Arrival n happens when Λ(t) reaches Sₙ (time rescaling, model/rate.ts): Poisson draws Sₙ as a
  // sum of keyed Exp(1), uniform spacing takes Sₙ = n. Arrival times never depend on the policy.
  const open = wl;
  function* workflow(w: number, at: number): Generator<Effect, void, unknown> {
    yield* runWorkflow(env, w, at);
    finished();
  }
  const spawn = () => {
    active++;
    run(workflow(started++, kernel.now()));
  };
  let streams = 1 + open.bursts.length;
  const streamDone = () => {
    if (--streams === 0) {
      starting = false;
      if (active === 0) onIdle();
    }
  };
  function* arrivals(): Generator<Effect, void, unknown> {
    let s = 0;
    for (let n = 0; ; n++) {
      s += open.arrival === 'uniform' ? 1 : -Math.log(1 - keyedUniform(seed, n, 0, 0, Purpose.arrival));
      const at = open.rate.inverse(s);
      if (!(at < until) || !Number.isFinite(at)) break;
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
  run(arrivals());
  for (const b of open.bursts) run(burst(b));
}
