/**
 * The live agents' spans: one `invoke_agent` span per workflow, from its first attempt to its last
 * answer, and a CLIENT span `tools/call {tool}` per attempt — from the moment the agent sends it
 * (the injected agent→relay delay is tunnel time, as a real network's would be) to the moment its
 * outcome reaches the caller. Its context rides in the request's `params._meta` as `traceparent`,
 * so the relay's, the connector's and the server's spans join the same trace. Built only when a
 * live run exports traces.
 */
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Context, type Span, type Tracer } from '@opentelemetry/api';
import { injectIntoMeta } from '../tunnel/tracing.js';

interface Root {
  span: Span;
  ctx: Context;
  /** Epoch ms of the workflow's last answer so far. */
  last: number;
}

export class CallSpans {
  private readonly roots = new Map<number, Root>();

  constructor(
    private readonly tracer: Tracer,
    private readonly agent: string,
  ) {}

  /** An attempt leaves the agent. */
  start(workflow: number, tool: string, attempt: number, step: number): Span {
    let root = this.roots.get(workflow);
    if (!root) {
      const span = this.tracer.startSpan(`invoke_agent ${this.agent}`, { attributes: { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': this.agent, 'tunnelsim.workflow': workflow } }, ROOT_CONTEXT);
      root = { span, ctx: trace.setSpan(ROOT_CONTEXT, span), last: 0 };
      this.roots.set(workflow, root);
    }
    return this.tracer.startSpan(
      `tools/call ${tool}`,
      {
        kind: SpanKind.CLIENT,
        attributes: { 'mcp.method.name': 'tools/call', 'gen_ai.tool.name': tool, 'gen_ai.operation.name': 'execute_tool', 'network.transport': 'tcp', 'tunnelsim.workflow': workflow, 'tunnelsim.step': step, 'tunnelsim.attempt': attempt },
      },
      root.ctx,
    );
  }

  /** `traceparent` (and `tracestate`) for the request's `_meta`. */
  meta(span: Span): Record<string, unknown> {
    return injectIntoMeta({}, span);
  }

  /** The attempt's outcome reached the caller (or it was given up). */
  end(span: Span, workflow: number, outcome: string, extra: { resultTokens?: number; session?: string } = {}): void {
    if (extra.resultTokens !== undefined) span.setAttribute('tunnelsim.result_tokens', extra.resultTokens);
    if (extra.session) span.setAttribute('mcp.session.id', extra.session);
    if (outcome !== 'ok') span.setAttribute('error.type', outcome).setStatus({ code: SpanStatusCode.ERROR, message: outcome });
    span.end();
    const root = this.roots.get(workflow);
    if (root) root.last = performance.timeOrigin + performance.now();
  }

  /** The world is over: every workflow span ends at its last answer. */
  close(): void {
    for (const r of this.roots.values()) r.span.end(r.last > 0 ? r.last : undefined);
    this.roots.clear();
  }
}
