/**
 * A workflow module: a generator that yields one step (the tool calls of one LLM turn) at a time
 * and receives the step's results. It can branch on results and on `ctx.random()`, which gives the
 * same draws for the same workflow under every policy.
 */
interface Ctx {
  workflow: number;
  random(): number;
}
interface StepResult {
  ok: boolean;
  results: { tool: string; ok: boolean; resultTokens: number }[];
}
type Step = { calls: { tool: string; resultTokens?: number }[] };

export default function* triage(ctx: Ctx): Generator<Step, void, StepResult> {
  const found = yield { calls: [{ tool: 'tickets.search' }] };
  // Large result sets make the agent read the top three tickets in parallel.
  const many = found.results[0].resultTokens > 1000;
  yield { calls: many ? [{ tool: 'tickets.read' }, { tool: 'tickets.read' }, { tool: 'tickets.read' }] : [{ tool: 'tickets.read' }] };
  if (ctx.random() < 0.25) yield { calls: [{ tool: 'kb.search' }] };
  yield { calls: [{ tool: 'tickets.comment', resultTokens: 80 }] };
}
