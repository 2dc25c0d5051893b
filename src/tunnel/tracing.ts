/**
 * OpenTelemetry spans of the tunnel, by the MCP conventions (span `{mcp.method.name} {gen_ai.tool.name}`,
 * `jsonrpc.request.id`, `mcp.session.id`, `error.type`; trace context in `params._meta` as W3C
 * `traceparent`):
 *
 * - the relay's hop: a SERVER span per admitted request, child of the agent's span that `_meta`
 *   names, ended by the request's audit record (its status is the span's `error.type`). The relay
 *   forwards the request's bytes untouched, `traceparent` included;
 * - the connector's hop: a CLIENT span per request it sends its upstream, child of the same agent
 *   span; the connector puts its own span's context into the `_meta` it sends on, so the upstream
 *   server's span is the connector span's child.
 *
 * Both hops carry `tunnelsim.hop` (`relay` / `connector`): a reader such as `tunnelsim import otlp`
 * tells them from the agent's client span and the server's span by it.
 */
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Attributes, type Context, type Span, type Tracer } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import type { Transport, TransportSendOptions } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import type { AuditRecord } from '../relay/audit.js';
import type { Message } from '../relay/jsonrpc.js';
import type { RelayObserver } from './observer.js';
import type { UpstreamFactory } from './upstream.js';

const propagator = new W3CTraceContextPropagator();
type Carrier = Record<string, unknown>;
const getter = {
  get: (c: Carrier, key: string) => {
    const v = c[key];
    return typeof v === 'string' ? v : undefined;
  },
  keys: (c: Carrier) => Object.keys(c),
};
const setter = { set: (c: Carrier, key: string, value: string) => void (c[key] = value) };

/** Spans held open at once per relay or upstream session, at most: a flood of unanswered requests cannot grow memory without bound. */
export const MAX_OPEN_SPANS = 100_000;

/** The context `params._meta` carries (W3C traceparent / tracestate), or the root. */
export function contextFromMeta(params: unknown): Context {
  const meta = (params as { _meta?: unknown } | undefined)?._meta;
  return meta !== null && typeof meta === 'object' ? propagator.extract(ROOT_CONTEXT, meta as Carrier, getter) : ROOT_CONTEXT;
}

/** Writes the span's context into `meta` (traceparent, and tracestate when there is one). */
export function injectIntoMeta(meta: Carrier, span: Span, parent: Context = ROOT_CONTEXT): Carrier {
  propagator.inject(trace.setSpan(parent, span), meta, setter);
  return meta;
}

/** The MCP span name and attributes of a request. */
export function mcpSpan(method: string, params: unknown, id: unknown): { name: string; attributes: Attributes } {
  const tool = method === 'tools/call' ? (params as { name?: unknown } | undefined)?.name : undefined;
  const attributes: Attributes = { 'mcp.method.name': method, 'jsonrpc.request.id': String(id) };
  if (typeof tool === 'string' && tool) {
    attributes['gen_ai.tool.name'] = tool;
    attributes['gen_ai.operation.name'] = 'execute_tool';
  }
  return { name: typeof tool === 'string' && tool ? `${method} ${tool}` : method, attributes };
}

/** The relay's hop spans, as a relay observer. */
export class RelayTracing implements RelayObserver {
  private readonly open = new Map<string, Span>();

  constructor(private readonly tracer: Tracer) {}

  request(sid: string, tunnel: string, msg: Message): void {
    if (typeof msg.method !== 'string' || msg.id === undefined || this.open.size >= MAX_OPEN_SPANS) return;
    const { name, attributes } = mcpSpan(msg.method, msg.params, msg.id);
    attributes['mcp.session.id'] = sid;
    attributes['network.transport'] = 'tcp';
    attributes['tunnelsim.hop'] = 'relay';
    attributes['tunnelsim.tunnel'] = tunnel;
    this.open.set(`${sid}\n${String(msg.id)}`, this.tracer.startSpan(name, { kind: SpanKind.SERVER, attributes }, contextFromMeta(msg.params)));
  }

  audit(r: AuditRecord): void {
    if (r.session === null || r.requestId === null) return;
    const key = `${r.session}\n${String(r.requestId)}`;
    const span = this.open.get(key);
    if (!span) return;
    this.open.delete(key);
    span.setAttribute('tunnelsim.queue_ms', r.queueMs);
    if (r.status !== 'ok') {
      span.setAttribute('error.type', r.status);
      span.setStatus({ code: SpanStatusCode.ERROR, message: r.status });
    }
    span.end();
  }
}

/** An upstream transport that spans each request the connector sends through it. */
class TracedTransport implements Transport {
  onmessage?: Transport['onmessage'];
  onclose?: () => void;
  onerror?: (error: Error) => void;
  private readonly open = new Map<string | number, Span>();

  constructor(
    private readonly inner: Transport,
    private readonly tracer: Tracer,
  ) {
    inner.onmessage = (m, extra) => {
      this.answered(m);
      this.onmessage?.(m, extra);
    };
    inner.onclose = () => {
      for (const span of this.open.values()) span.setAttribute('error.type', 'session_closed').setStatus({ code: SpanStatusCode.ERROR }).end();
      this.open.clear();
      this.onclose?.();
    };
    inner.onerror = (e) => this.onerror?.(e);
  }

  get sessionId(): string | undefined {
    return this.inner.sessionId;
  }

  setProtocolVersion(v: string): void {
    (this.inner as { setProtocolVersion?: (v: string) => void }).setProtocolVersion?.(v);
  }

  start(): Promise<void> {
    return this.inner.start();
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  send(message: JSONRPCMessage, options?: TransportSendOptions): Promise<void> {
    const m = message as { method?: unknown; id?: unknown; params?: { _meta?: Carrier } & Carrier };
    if (typeof m.method === 'string' && (typeof m.id === 'string' || typeof m.id === 'number') && this.open.size < MAX_OPEN_SPANS) {
      const { name, attributes } = mcpSpan(m.method, m.params, m.id);
      attributes['tunnelsim.hop'] = 'connector';
      const parent = contextFromMeta(m.params);
      const span = this.tracer.startSpan(name, { kind: SpanKind.CLIENT, attributes }, parent);
      this.open.set(m.id, span);
      // The upstream's server span is this hop's child: our context replaces the agent's in the copy sent on.
      const meta = injectIntoMeta({ ...(m.params?._meta ?? {}) }, span, parent);
      message = { ...m, params: { ...(m.params ?? {}), _meta: meta } } as JSONRPCMessage;
    }
    return this.inner.send(message, options);
  }

  private answered(m: JSONRPCMessage): void {
    const r = m as { id?: unknown; method?: unknown; error?: { code?: unknown }; result?: { isError?: unknown } };
    if (r.method !== undefined || (typeof r.id !== 'string' && typeof r.id !== 'number')) return;
    const span = this.open.get(r.id);
    if (!span) return;
    this.open.delete(r.id);
    if (r.error) span.setAttribute('error.type', String(r.error.code ?? 'error')).setStatus({ code: SpanStatusCode.ERROR });
    else if (r.result?.isError === true) span.setAttribute('error.type', 'tool_error').setStatus({ code: SpanStatusCode.ERROR });
    span.end();
  }
}

/** The connector's upstreams, each request spanned (`Connector`'s `upstream` option). */
export function tracedUpstream(factory: UpstreamFactory, tracer: Tracer): UpstreamFactory {
  return async () => new TracedTransport(await factory(), tracer);
}
