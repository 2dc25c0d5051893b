/**
 * Workflow scripts: what an agent does, step by step. A script yields one `StepRequest` per LLM
 * turn (the tool calls that turn makes, in parallel when more than one) and receives the turn's
 * results. Built-in forms come from the scenario (`tools` + `order`, an explicit list, a YAML
 * `script:` with parallel groups, branches and repeats); a TypeScript or JavaScript module can
 * export its own generator for agents that need real logic. The two plainest forms are objects,
 * not generators (the simulator's hot path); the rest are generators.
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

/**
 * What the runner reads a workflow's steps from: a generator (scripts, traces, user modules) or,
 * for the common shapes, a plain object that hands out shared step requests and one reused
 * iterator result — no allocation per step.
 */
export interface StepSource {
  next(result: StepResult): IteratorResult<StepRequest, void>;
  /** The source reads the step results it is given (a user module); others get none built. */
  readonly readsResults: boolean;
}

/** One shared `{ calls: [{ tool }] }` per tool: step requests are read, never changed. */
function singleCalls(tools: number): StepRequest[] {
  return Array.from({ length: tools }, (_, tool) => ({ calls: [{ tool }] }));
}

const requestsByScenario = new WeakMap<Scenario, StepRequest[]>();

function requestsOf(sc: Scenario): StepRequest[] {
  let r = requestsByScenario.get(sc);
  if (!r) requestsByScenario.set(sc, (r = singleCalls(sc.tools.length)));
  return r;
}

/** `tools` + `order`: round-robin over the tools, or a weighted random pick (keyed, as `ctx.random()`). */
class SequenceSteps implements StepSource {
  readonly readsResults = false;
  private i = 0;
  private draws = 0;
  private readonly total: number;
  private readonly result: IteratorResult<StepRequest, void> = { done: false, value: undefined as unknown as StepRequest };

  constructor(
    private readonly spec: Extract<WorkflowSpec, { kind: 'sequence' }>,
    private readonly requests: readonly StepRequest[],
    private readonly seed: number,
    private readonly workflow: number,
  ) {
    // Only a weighted pick reads the total: round-robin workflows skip the sum (one per workflow).
    this.total = spec.order === 'round-robin' ? 0 : spec.weights.reduce((s, w) => s + w, 0);
  }

  next(): IteratorResult<StepRequest, void> {
    const spec = this.spec;
    const r = this.result;
    if (this.i >= spec.steps) {
      r.done = true;
      r.value = undefined as unknown as StepRequest;
      return r;
    }
    let tool: number;
    if (spec.order === 'round-robin') tool = spec.tools[this.i % spec.tools.length];
    else {
      let u = keyedUniform(this.seed, this.workflow, this.draws++, 0, Purpose.branch) * this.total;
      let k = 0;
      while (k < spec.tools.length - 1 && u >= spec.weights[k]) u -= spec.weights[k++];
      tool = spec.tools[k];
    }
    this.i++;
    r.value = this.requests[tool];
    return r;
  }
}

/** An explicit list of tools, one call per step. */
class ListSteps implements StepSource {
  readonly readsResults = false;
  private i = 0;
  private readonly result: IteratorResult<StepRequest, void> = { done: false, value: undefined as unknown as StepRequest };

  constructor(
    private readonly tools: readonly number[],
    private readonly requests: readonly StepRequest[],
  ) {}

  next(): IteratorResult<StepRequest, void> {
    const r = this.result;
    if (this.i >= this.tools.length) {
      r.done = true;
      r.value = undefined as unknown as StepRequest;
      return r;
    }
    r.value = this.requests[this.tools[this.i++]];
    return r;
  }
}

/** A generator as a step source. */
function fromGenerator(gen: StepScript, readsResults: boolean): StepSource {
  return { next: (result) => gen.next(result), readsResults };
}

function* replay(steps: readonly CallPlan[][]): StepScript {
  for (const calls of steps) yield { calls };
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

/** Builds the steps of workflow `workflow`. `module` is the loaded user function, when the scenario names one. */
export function makeSteps(sc: Scenario, seed: number, workflow: number, tools: readonly string[], module?: UserWorkflow): StepSource {
  const w = sc.workflow;
  switch (w.kind) {
    case 'sequence':
      return new SequenceSteps(w, requestsOf(sc), seed, workflow);
    case 'list':
      return new ListSteps(w.tools, requestsOf(sc));
    case 'script':
      return fromGenerator(nodes(w.nodes, scriptContext(seed, workflow, tools)), false);
    case 'module':
      if (!module) throw new Error(`workflow module ${w.file} was not loaded`);
      return fromGenerator(user(module, scriptContext(seed, workflow, tools), sc.toolIndex, w.file), true);
    case 'trace':
      return fromGenerator(replay(w.sessions[workflow % w.sessions.length]), false);
  }
}
