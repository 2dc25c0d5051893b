/**
 * Workflow scripts: what an agent does, step by step. A script is a generator that yields one
 * `StepRequest` per LLM turn (the tool calls that turn makes, in parallel when more than one) and
 * receives the turn's results. Built-in forms come from the scenario (`tools` + `order`, an explicit
 * list, a YAML `script:` with parallel groups, branches and repeats); a TypeScript or JavaScript
 * module can export its own generator for agents that need real logic.
 *
 * Randomness a script uses (`ctx.random()`) is keyed by (workflow, decision number), so a workflow
 * makes the same choices under every policy.
 */
import { keyedUniform, Purpose } from '../kernel/rng.js';
import type { Sampler } from '../model/distribution.js';
import type { CallPlan, Scenario, ScriptNode, WorkflowSpec } from '../scenario/types.js';

export interface StepRequest {
  calls: CallPlan[];
}

export interface CallResult {
  tool: string;
  ok: boolean;
  outcome: string;
  resultTokens: number;
}

export interface StepResult {
  ok: boolean;
  results: CallResult[];
}

export interface ScriptContext {
  workflow: number;
  tools: readonly string[];
  /** A uniform on [0, 1), the same for this workflow under every policy. */
  random(): number;
}

/** What a user module exports (default or `workflow`): yields tool names and optional sizes. */
export type UserWorkflow = (ctx: ScriptContext) => Generator<{ calls: { tool: string; argTokens?: number; resultTokens?: number }[] }, void, StepResult>;

export type StepScript = Generator<StepRequest, void, StepResult>;

export function scriptContext(seed: number, workflow: number, tools: readonly string[]): ScriptContext {
  let n = 0;
  return { workflow, tools, random: () => keyedUniform(seed, workflow, n++, 0, Purpose.branch) };
}

function* sequence(spec: Extract<WorkflowSpec, { kind: 'sequence' }>, ctx: ScriptContext): StepScript {
  const total = spec.weights.reduce((s, w) => s + w, 0);
  for (let i = 0; i < spec.steps; i++) {
    let tool: number;
    if (spec.order === 'round-robin') tool = spec.tools[i % spec.tools.length];
    else {
      let u = ctx.random() * total;
      let k = 0;
      while (k < spec.tools.length - 1 && u >= spec.weights[k]) u -= spec.weights[k++];
      tool = spec.tools[k];
    }
    yield { calls: [{ tool }] };
  }
}

function* replay(steps: readonly CallPlan[][]): StepScript {
  for (const calls of steps) yield { calls };
}

function* list(tools: readonly number[]): StepScript {
  for (const tool of tools) yield { calls: [{ tool }] };
}

function* nodes(ns: readonly ScriptNode[], ctx: ScriptContext): StepScript {
  for (const n of ns) {
    if (n.kind === 'calls') yield { calls: n.calls };
    else if (n.kind === 'branch') yield* nodes(ctx.random() < n.probability ? n.then : n.else, ctx);
    else for (let i = 0; i < n.times; i++) yield* nodes(n.steps, ctx);
  }
}

function* user(fn: UserWorkflow, ctx: ScriptContext, index: Record<string, number>, file: string): StepScript {
  const gen = fn(ctx);
  let r = gen.next(undefined as unknown as StepResult);
  while (!r.done) {
    const calls: CallPlan[] = r.value.calls.map((c) => {
      const tool = index[c.tool];
      if (tool === undefined) throw new Error(`${file}: workflow asked for unknown tool '${c.tool}'`);
      const size: Sampler | undefined = c.resultTokens === undefined ? undefined : { sample: () => c.resultTokens!, mean: c.resultTokens };
      return { tool, argTokens: c.argTokens, resultTokens: size };
    });
    const result: StepResult = yield { calls };
    r = gen.next(result);
  }
}

/** Builds the step script of workflow `ctx.workflow`. `module` is the loaded user function, when the scenario names one. */
export function makeScript(sc: Scenario, ctx: ScriptContext, module?: UserWorkflow): StepScript {
  const w = sc.workflow;
  switch (w.kind) {
    case 'sequence':
      return sequence(w, ctx);
    case 'list':
      return list(w.tools);
    case 'script':
      return nodes(w.nodes, ctx);
    case 'module':
      if (!module) throw new Error(`workflow module ${w.file} was not loaded`);
      return user(module, ctx, sc.toolIndex, w.file);
    case 'trace':
      return replay(w.sessions[ctx.workflow % w.sessions.length]);
  }
}
