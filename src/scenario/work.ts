/**
 * What a scenario asks of the machine, estimated before anything runs, and the limits that refuse
 * what could not finish or fit: a run that would take days or exhaust the heap is a typo far more
 * often than a wish (`arrivalRate: 1e-9`, `workflows: 1e15`, `replications: 1e8`).
 *
 * The estimate is an expectation, not a bound: calls per workflow from the script's expected length,
 * workflows from the stop condition, one world's simulated time from the arrival process (open) or
 * the `duration` (closed). Each limit names the scenario key that raises it (`limits:`).
 */
import { DEFAULT_REPLICATIONS, type Scenario, type ScriptNode, type WorkflowSpec, type WorkLimits } from './types.js';

export type { WorkLimits };

export const DEFAULT_LIMITS: WorkLimits = { calls: 1e9, windows: 1e6, worlds: 10_000, steps: 10_000 };

export interface WorkEstimate {
  worlds: number;
  /** Workflows started in one world (expected); undefined when it cannot be told (a closed workload without `workflows`). */
  workflowsPerWorld?: number;
  /** Expected logical calls of one workflow; undefined for a user module. */
  callsPerWorkflow?: number;
  /** The most steps one workflow can take; undefined for a user module. */
  maxSteps?: number;
  /** Expected simulated time of one world's arrivals (ms); undefined when it cannot be told. */
  simulatedMs?: number;
}

/** A refusal: which field to blame and why, in words. */
export interface WorkProblem {
  field: string;
  message: string;
}

function nodeCalls(nodes: readonly ScriptNode[]): { expected: number; steps: number } {
  let expected = 0;
  let steps = 0;
  for (const n of nodes) {
    if (n.kind === 'calls') {
      expected += n.calls.length;
      steps += 1;
    } else if (n.kind === 'branch') {
      const a = nodeCalls(n.then);
      const b = nodeCalls(n.else);
      expected += n.probability * a.expected + (1 - n.probability) * b.expected;
      steps += Math.max(a.steps, b.steps);
    } else {
      const inner = nodeCalls(n.steps);
      expected += n.times * inner.expected;
      steps += n.times * inner.steps;
    }
  }
  return { expected, steps };
}

function perWorkflow(w: WorkflowSpec): { expected: number; steps: number } | undefined {
  switch (w.kind) {
    case 'sequence':
      return { expected: w.steps, steps: w.steps };
    case 'list':
      return { expected: w.tools.length, steps: w.tools.length };
    case 'script':
      return nodeCalls(w.nodes);
    case 'trace': {
      const n = w.sessions.length || 1;
      const calls = w.sessions.reduce((s, steps) => s + steps.reduce((t, c) => t + c.length, 0), 0);
      return { expected: calls / n, steps: Math.max(0, ...w.sessions.map((s) => s.length)) };
    }
    case 'module':
      return undefined;
  }
}

export function estimateWork(sc: Scenario): WorkEstimate {
  // Unset replications: the most any command makes by default (`run`'s).
  const worlds = sc.policies.length * (sc.replications ?? DEFAULT_REPLICATIONS);
  const per = perWorkflow(sc.workflow);
  const wl = sc.workload;
  let workflowsPerWorld: number | undefined;
  let simulatedMs: number | undefined;
  if (wl.model === 'open') {
    const bursts = (until: number) =>
      wl.bursts.reduce((s, b) => s + b.size * (b.every !== undefined && b.every > 0 ? Math.floor((until - (b.at ?? 0)) / b.every) + 1 : 1), 0);
    if (wl.duration !== undefined) {
      simulatedMs = wl.duration;
      const arriving = wl.rate.cumulative(wl.duration) + bursts(wl.duration);
      workflowsPerWorld = wl.workflows !== undefined ? Math.min(wl.workflows, arriving) : arriving;
    } else if (wl.workflows !== undefined) {
      workflowsPerWorld = wl.workflows;
      simulatedMs = wl.rate.inverse(Math.max(0, wl.workflows - bursts(0)));
    }
  } else {
    // Every agent starts at least one workflow.
    workflowsPerWorld = wl.workflows ?? wl.agents;
    simulatedMs = wl.duration;
  }
  return { worlds, workflowsPerWorld, callsPerWorkflow: per?.expected, maxSteps: per?.steps, simulatedMs };
}

const n = (x: number): string => (x >= 1e6 ? x.toExponential(1).replace('e+', 'e') : Math.round(x).toLocaleString('en-US'));

function span(ms: number): string {
  const s = ms / 1000;
  if (s >= 365 * 86400) return `${n(s / (365 * 86400))} years`;
  if (s >= 86400) return `${n(s / 86400)} days`;
  return `${n(s / 3600)} hours`;
}

/** The first limit the scenario passes, or undefined when it fits. */
export function checkWork(sc: Scenario, limits: WorkLimits = sc.limits): WorkProblem | undefined {
  const e = estimateWork(sc);
  const wl = sc.workload;
  if (e.worlds > limits.worlds) {
    return {
      field: 'replications',
      message: `asks for ${n(e.worlds)} worlds (${sc.policies.length} policies × ${n(sc.replications ?? DEFAULT_REPLICATIONS)} replications), more than limits.worlds = ${n(limits.worlds)}: lower replications or raise limits.worlds`,
    };
  }
  if (e.maxSteps !== undefined && e.maxSteps > limits.steps) {
    return { field: 'workflow', message: `a workflow takes up to ${n(e.maxSteps)} steps, more than limits.steps = ${n(limits.steps)}: shorten the workflow or raise limits.steps` };
  }
  if (wl.model === 'open' && e.simulatedMs === Infinity) {
    return { field: 'workload', message: `the arrival rate falls to 0 before ${n(wl.workflows ?? 0)} workflows have arrived, so the run would never end: raise the rate or give duration` };
  }
  if (e.workflowsPerWorld !== undefined && e.workflowsPerWorld < 0.5) {
    return { field: 'workload', message: 'starts no workflow (the arrival rate is 0 over the whole run): raise the rate or lengthen the run' };
  }
  if (e.workflowsPerWorld !== undefined && e.callsPerWorkflow !== undefined) {
    const calls = e.worlds * e.workflowsPerWorld * e.callsPerWorkflow;
    if (calls > limits.calls) {
      return {
        field: 'workload.workflows',
        message: `asks for ${n(calls)} tool calls (${n(e.worlds)} worlds × ${n(e.workflowsPerWorld)} workflows × ${n(e.callsPerWorkflow)} calls), more than limits.calls = ${n(limits.calls)}: run fewer workflows or raise limits.calls`,
      };
    }
  }
  if (e.simulatedMs !== undefined && e.simulatedMs / sc.windowMs > limits.windows) {
    const why = wl.model === 'open' && wl.duration === undefined ? `${n(wl.workflows ?? 0)} workflows at this arrival rate take` : 'the workload lasts';
    return {
      field: wl.model === 'open' && wl.duration === undefined ? 'workload.arrivalRate' : 'workload.duration',
      message: `${why} ${span(e.simulatedMs)} of simulated time: ${n(e.simulatedMs / sc.windowMs)} time-series windows of ${sc.windowMs / 1000}s per world, more than limits.windows = ${n(limits.windows)}: raise the rate, shorten the run, widen report.window or raise limits.windows`,
    };
  }
  return undefined;
}
