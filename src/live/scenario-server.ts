/**
 * The live mode's upstream: an MCP server (the SDK's low-level `Server`) serving a scenario's tool
 * table with the simulator's draws, and the server side of the fault-injecting link.
 *
 * How it works: the live agent tags each `tools/call` with `_meta.tunnelsim = { w, k, a, t }`
 * (workflow, call key, attempt, the attempt's start in scenario time). From that key the server
 * draws exactly what the simulated world draws for the same attempt — the relay→server link delay,
 * the service time, the link delay back, the result size — and asks the same `FaultModel` what
 * strikes the attempt (hang, error, drop on the server link, slow service, burst loss). Waits run on
 * the live clock, calls queue for one FIFO pool of `server.concurrency` workers across sessions,
 * and a cancellation (notifications/cancelled, forwarded by the relay) stops the work only when the
 * policy says the server honours it — as in the simulator. Results are text of about the drawn
 * number of tokens; errors are real JSON-RPC errors with the fault's code.
 */
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { CallToolRequestSchema, ErrorCode, ListToolsRequestSchema, McpError } from '@modelcontextprotocol/sdk/types.js';
import { keyedUniform, keyPrefix, Purpose } from '../kernel/rng.js';
import { attemptUniform } from '../model/correlation.js';
import type { FaultModel, Link } from '../model/faults.js';
import type { Scenario } from '../scenario/types.js';
import type { LiveClock } from './live-clock.js';
import { WorkerPool } from '../tunnel/worker-pool.js';
import { SpanKind, SpanStatusCode, type Tracer } from '@opentelemetry/api';
import { contextFromMeta, mcpSpan } from '../tunnel/tracing.js';

/** The hash states of an attempt and of its call's attempt 0 (the simulator's `SimAttempt.key`, `key0`). */
interface Keys {
  key: number;
  key0: number;
  attempt: number;
}
import { payloadText } from '../tokens/payload-text.js';

/** The attempt tag a live agent puts in `_meta`. */
export interface AttemptTag {
  w: number;
  k: number;
  a: number;
  t: number;
  /** A replayed call's server time (ms), when the workflow is a trace. */
  s?: number;
  /** A replayed call's result size (tokens), when the workflow is a trace. */
  r?: number;
}

export const META_KEY = 'tunnelsim';

/** Told of every successful execution, so the agent side can count duplicates and zombies. */
export type ExecutionListener = (tag: AttemptTag) => void;

export interface ScenarioServerOptions {
  sc: Scenario;
  seed: number;
  faults: FaultModel;
  clock: LiveClock;
  /** The server stops work on notifications/cancelled (the policy's `cancelOnTimeout`). @default false */
  cancelHonoured?: boolean;
  onExecuted?: ExecutionListener;
  /** Export a SERVER span per tool call, child of the context in its `_meta`. @default none */
  tracer?: Tracer;
}

/** Server-side state shared by every session of one world: the worker pool and busy-time integral. */
export class ScenarioUpstream {
  readonly pool: WorkerPool;
  private busy = 0;
  private busyArea = 0;
  private changedAt = 0;
  /** Waits that end when the world closes (hangs, dropped requests). */
  private readonly forever = new Set<() => void>();

  constructor(private readonly o: ScenarioServerOptions) {
    this.pool = new WorkerPool(o.sc.server.concurrency);
  }

  /** One MCP server per agent session (the connector opens one per session). */
  createServer(): Server {
    const { sc } = this.o;
    const server = new Server({ name: 'tunnelsim-live', version: '1.0.0' }, { capabilities: { tools: {} } });
    server.setRequestHandler(ListToolsRequestSchema, async () => ({
      tools: sc.tools.map((t) => ({ name: t.name, description: `scenario tool ${t.name}`, inputSchema: { type: 'object' as const }, annotations: { idempotentHint: t.idempotent, readOnlyHint: t.readOnly } })),
    }));
    server.setRequestHandler(CallToolRequestSchema, async (req, extra) => {
      const tool = sc.toolIndex[req.params.name];
      if (tool === undefined) throw new McpError(ErrorCode.InvalidParams, `unknown tool ${req.params.name}`);
      const tag = (req.params._meta as Record<string, unknown> | undefined)?.[META_KEY] as AttemptTag | undefined;
      if (!tag) throw new McpError(ErrorCode.InvalidParams, `tools/call without _meta.${META_KEY}`);
      if (tag.w < 0) return { content: [{ type: 'text' as const, text: payloadText(100) }] }; // warm-up
      if (!this.o.tracer) return this.serve(tool, tag, extra.signal);
      const { name, attributes } = mcpSpan('tools/call', req.params, extra.requestId);
      const span = this.o.tracer.startSpan(name, { kind: SpanKind.SERVER, attributes: { ...attributes, ...(extra.sessionId ? { 'mcp.session.id': extra.sessionId } : {}) } }, contextFromMeta(req.params));
      try {
        const result = await this.serve(tool, tag, extra.signal);
        span.setAttribute('tunnelsim.server_queue_ms', result._meta[META_KEY].serverQueueMs);
        return result;
      } catch (err) {
        span.setAttribute('error.type', err instanceof McpError ? String(err.code) : 'error').setStatus({ code: SpanStatusCode.ERROR });
        throw err;
      } finally {
        span.end();
      }
    });
    return server;
  }

  /** Busy worker time (ms · workers) up to now. */
  busyIntegral(): number {
    this.setBusy(0);
    return this.busyArea;
  }

  /** Ends every endless wait (the world is over). */
  close(): void {
    for (const end of this.forever) end();
    this.forever.clear();
  }

  private setBusy(delta: number): void {
    const now = this.o.clock.now();
    this.busyArea += this.busy * (now - this.changedAt);
    this.changedAt = now;
    this.busy += delta;
  }

  private link(link: Link, key: Keys, purpose: number, factor: number): number {
    const { sc, faults, clock } = this.o;
    const spec = sc.network.relayToServer;
    let d = spec.latency.sample(attemptUniform(key.key, key.key0, key.attempt, purpose, spec.attemptCorrelation));
    if (faults.hasSpikes) d = faults.linkDelay(link, clock.now(), d);
    return d * factor;
  }

  /** Waits until the world closes or (when cancellation is honoured) the caller cancels; never answers. */
  private never(signal: AbortSignal): Promise<never> {
    return new Promise((_, reject) => {
      const end = () => reject(new McpError(ErrorCode.RequestTimeout, 'closed'));
      this.forever.add(end);
      signal.addEventListener('abort', () => (this.forever.delete(end), end()), { once: true });
    });
  }

  private async wait(ms: number, signal: AbortSignal | undefined): Promise<void> {
    if (!signal) return this.o.clock.sleep(ms);
    if (signal.aborted) throw new McpError(ErrorCode.RequestTimeout, 'cancelled');
    await new Promise<void>((resolve, reject) => {
      const h = this.o.clock.schedule(ms, () => (signal.removeEventListener('abort', onAbort), resolve()));
      const onAbort = () => (this.o.clock.cancel(h), reject(new McpError(ErrorCode.RequestTimeout, 'cancelled')));
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  private async serve(tool: number, tag: AttemptTag, signal: AbortSignal) {
    const { sc, seed, faults, clock } = this.o;
    const honour = this.o.cancelHonoured ? signal : undefined;
    const decided = faults.decideAttempt(tag.w, tag.k, tag.a, tool, tag.t);
    const key: Keys = { key: keyPrefix(seed, tag.w, tag.k, tag.a), key0: keyPrefix(seed, tag.w, tag.k, 0), attempt: tag.a };
    const t = decided.terminal;
    const lost = (direction: number) => faults.hasBursts && faults.lost('relayToServer', clock.now(), tag.w, tag.k, tag.a, direction);
    if ((t.kind === 'drop' && t.link === 'relayToServer') || lost(1)) return this.never(signal);
    const out = this.link('relayToServer', key, Purpose.linkRelayOut, decided.serverLinkFactor);
    await this.wait(out, honour);
    if (t.kind === 'hang') return this.never(signal); // a hang holds no worker (docs/design.md)
    const arrived = clock.now();
    const release = await this.pool.acquire(honour);
    const serverQueueMs = clock.now() - arrived;
    this.setBusy(1);
    const spec = sc.tools[tool];
    const serviceMs = (tag.s ?? spec.service.sample(attemptUniform(key.key, key.key0, key.attempt, Purpose.service, spec.attemptCorrelation))) * decided.serviceFactor;
    try {
      await this.wait(serviceMs, honour);
    } finally {
      this.setBusy(-1);
      release();
    }
    if (t.kind !== 'error') this.o.onExecuted?.(tag);
    if (lost(2)) return this.never(signal);
    const back = this.link('relayToServer', key, Purpose.linkServerBack, decided.serverLinkFactor);
    await this.wait(back, undefined);
    if (t.kind === 'error') throw new McpError(t.code, `injected error ${t.code}`);
    const tokens = tag.r ?? Math.round(sc.tools[tool].resultTokens.sample(keyedUniform(seed, tag.w, tag.k, 0, Purpose.resultTokens)));
    return {
      content: [{ type: 'text' as const, text: payloadText(tokens) }],
      _meta: { [META_KEY]: { serverQueueMs, serviceMs, linkMs: out + back, tag } },
    };
  }
}

