/**
 * The real system one live world runs against: the server half (tunnel-host.ts: relay, connector,
 * scenario upstream) on the agents' thread or in a worker thread of its own, and one MCP client
 * session per live agent. On the 2-core machine we measured, the worker made per-call overhead
 * worse (cross-thread messages, two loops on two busy cores), so the agents' thread is the default;
 * the worker is there for machines with cores to spare (docs/live.md).
 * `close` ends the sessions, the server half and the worker: every socket the world opened.
 */
import { Worker } from 'node:worker_threads';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { FaultModel } from '../model/faults.js';
import type { AuditRecord } from '../relay/audit.js';
import type { SheddingSpec } from '../relay/shedding.js';
import type { Scenario } from '../scenario/types.js';
import type { LiveClock } from './live-clock.js';
import { META_KEY, ScenarioUpstream, type AttemptTag } from './scenario-server.js';
import type { FromWorker, ToWorker } from './system-worker.js';
import { startTunnelHost } from './tunnel-host.js';
import type { Tracer } from '@opentelemetry/api';

export interface LiveSystemOptions {
  sc: Scenario;
  seed: number;
  clock: LiveClock;
  cancelHonoured: boolean;
  /** The relay's load shedding in this world (scenario ms). @default undefined (none) */
  shedding?: SheddingSpec;
  /** Client sessions to open. */
  sessions: number;
  onExecuted: (tag: AttemptTag) => void;
  /** Told how long (wall ms) the relay held an attempt in its tunnel queue, when it did. @default undefined */
  onRelayQueue?: (tag: AttemptTag, queueMs: number) => void;
  /** Where the relay, connector and upstream run. @default 'main' */
  thread?: 'worker' | 'main';
  /** Drive an external Streamable HTTP endpoint instead: no relay, connector or upstream is started. @default undefined */
  target?: LiveTarget;
  /**
   * Export the relay's, connector's and server's spans: tracers on this thread, and the OTLP traces
   * URL a server worker exports to with tracers of its own. @default undefined (no traces)
   */
  tracing?: { url?: string; relay: Tracer; connector: Tracer; server: Tracer };
}

/** An external MCP endpoint and the headers (auth) its requests carry. */
export interface LiveTarget {
  url: string;
  headers: Record<string, string>;
}

export interface LiveSystem {
  sessions: Client[];
  /** Tells the server half that scenario time starts at the agents' clock origin (after `clock.reset()`). */
  syncClock(): void;
  /** Closes everything; resolves to the upstream's busy worker time (ms · workers). */
  close(): Promise<number>;
}

/** Calls per session before the clock starts, so JIT compilation does not land in the first measured calls. */
const WARM_UP_CALLS = 5;

/** Warm-up calls carry workflow -1: the upstream answers them at once and records nothing. */
async function warmUp(sessions: Client[], tool: string): Promise<void> {
  for (let i = 0; i < WARM_UP_CALLS; i++) {
    await Promise.all(sessions.map((c, k) => c.callTool({ name: tool, arguments: {}, _meta: { [META_KEY]: { w: -1, k, a: i, t: 0 } } })));
  }
}

interface ServerHalf {
  url: string;
  token: string;
  syncClock(): void;
  close(): Promise<number>;
}

/**
 * Which attempt each tool call in flight is, by (MCP session, JSON-RPC id) — the names the relay's
 * audit records use — learnt from the client transports' outgoing messages, so the relay's queue
 * time reaches the attempt it delayed.
 */
class CallIndex {
  private readonly tags = new Map<string, AttemptTag>();

  /** Wraps a client transport's `send` to note the tag of each tool call it sends. */
  watch(t: StreamableHTTPClientTransport): void {
    const send = t.send.bind(t);
    t.send = (message, options) => {
      const m = message as { id?: string | number; method?: string; params?: { _meta?: Record<string, unknown> } };
      const tag = m.method === 'tools/call' && m.id !== undefined ? (m.params?._meta?.[META_KEY] as AttemptTag | undefined) : undefined;
      if (tag && t.sessionId) this.tags.set(`${t.sessionId}\n${m.id}`, tag);
      return send(message, options);
    };
  }

  /** The relay settled a call: tell `onRelayQueue` if it queued, and forget the call. */
  audited(session: string, id: string | number, queueMs: number, onRelayQueue: LiveSystemOptions['onRelayQueue']): void {
    const key = `${session}\n${id}`;
    const tag = this.tags.get(key);
    if (!tag) return;
    this.tags.delete(key);
    if (queueMs > 0) onRelayQueue?.(tag, queueMs);
  }
}

async function inProcess(o: LiveSystemOptions, calls: CallIndex): Promise<ServerHalf> {
  const upstream = new ScenarioUpstream({ sc: o.sc, seed: o.seed, faults: new FaultModel(o.seed, o.sc.faults, o.sc.toolIndex), clock: o.clock, cancelHonoured: o.cancelHonoured, onExecuted: o.onExecuted, tracer: o.tracing?.server });
  const onAudit = (r: AuditRecord) => {
    if (r.method === 'tools/call' && r.session !== null && r.requestId !== null) calls.audited(r.session, r.requestId, r.queueMs, o.onRelayQueue);
  };
  const host = await startTunnelHost(o.sc, upstream, o.sessions, onAudit, { tracers: o.tracing, shedding: o.shedding, timeScale: o.clock.timeScale });
  return {
    url: host.url,
    token: host.token,
    syncClock: () => undefined,
    close: async () => {
      const busy = upstream.busyIntegral();
      upstream.close();
      await host.close();
      return busy;
    },
  };
}

function startWorker(): Worker {
  const ts = import.meta.url.endsWith('.ts');
  const url = new URL(ts ? './system-worker.ts' : './system-worker.js', import.meta.url);
  if (!ts) return new Worker(url);
  // Under tsx a worker has no TypeScript loader of its own: a tiny bootstrap imports it through tsx.
  return new Worker(`import('tsx/esm/api').then((m) => m.tsImport(${JSON.stringify(url.href)}, ${JSON.stringify(import.meta.url)}))`, { eval: true });
}

async function inWorker(o: LiveSystemOptions, calls: CallIndex): Promise<ServerHalf> {
  if (o.sc.raw === undefined) throw new RangeError('a live server worker needs the scenario as parsed (Scenario.raw); use thread: \'main\'');
  const worker = startWorker();
  let closed: ((busy: number) => void) | undefined;
  const ready = new Promise<{ url: string; token: string }>((resolve, reject) => {
    worker.on('error', reject);
    worker.on('message', (m: FromWorker) => {
      if (m.kind === 'exec') o.onExecuted(m.tag);
      else if (m.kind === 'audit') calls.audited(m.session, m.id, m.queueMs, o.onRelayQueue);
      else if (m.kind === 'ready') resolve(m);
      else if (m.kind === 'error') reject(new Error(m.message));
      else closed?.(m.busyMs);
    });
  });
  const post = (m: ToWorker) => worker.postMessage(m);
  post({ kind: 'start', data: o.sc.raw, file: o.sc.file, seed: o.seed, timeScale: o.clock.timeScale, cancelHonoured: o.cancelHonoured, shedding: o.shedding, sessions: o.sessions, otlp: o.tracing?.url });
  try {
    const { url, token } = await ready;
    return {
      url,
      token,
      syncClock: () => post({ kind: 'origin', at: o.clock.origin }),
      close: async () => {
        const busy = await new Promise<number>((resolve) => {
          closed = resolve;
          post({ kind: 'close' });
        });
        await worker.terminate();
        return busy;
      },
    };
  } catch (err) {
    await worker.terminate();
    throw err;
  }
}

function external(t: LiveTarget): ServerHalf & { headers: Record<string, string> } {
  return { url: t.url, token: '', headers: t.headers, syncClock: () => undefined, close: async () => 0 };
}

export async function startLiveSystem(o: LiveSystemOptions): Promise<LiveSystem> {
  const calls = new CallIndex();
  const server: ServerHalf & { headers?: Record<string, string> } = o.target ? external(o.target) : o.thread === 'worker' ? await inWorker(o, calls) : await inProcess(o, calls);
  const headers = server.headers ?? { Authorization: `Bearer ${server.token}` };
  const sessions: Client[] = [];
  const close = async () => {
    await Promise.allSettled(sessions.map((c) => c.close()));
    return server.close();
  };
  try {
    // Opened a few at a time: hundreds of initialize handshakes at once would only queue.
    for (let i = 0; i < o.sessions; i += 32) {
      const batch = Array.from({ length: Math.min(32, o.sessions - i) }, async () => {
        const client = new Client({ name: 'tunnelsim-live-agent', version: '1.0.0' });
        const transport = new StreamableHTTPClientTransport(new URL(server.url), { requestInit: { headers } });
        if (!o.target) calls.watch(transport);
        await client.connect(transport);
        sessions.push(client);
      });
      await Promise.all(batch);
    }
    if (!o.target) await warmUp(sessions, o.sc.tools[0].name);
    return { sessions, syncClock: () => server.syncClock(), close };
  } catch (err) {
    await close();
    throw err;
  }
}
