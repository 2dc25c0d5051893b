/**
 * `connect --share-upstream`: one upstream MCP server for every agent session of the tunnel,
 * instead of one per session. Each session still gets a transport of its own (a `Port`), so the
 * connector is unchanged; the ports multiplex onto the one real transport through `SessionMux`,
 * which renames request ids so that every answer reaches only the session that asked.
 *
 * What it buys: a stdio server is spawned, loaded and JIT-warmed once, not per session — the
 * largest cost of a short agent session on the private side (the relay bench's peers leg measures
 * both). What it gives up: the server's own state (subscriptions, anything a tool keeps between
 * calls) is shared by all sessions, the server sees only the first session's `initialize`, and
 * requests from the server (sampling, elicitation, roots) are refused because they cannot be routed
 * to a session. For servers whose tools are stateless, which is most tool servers.
 *
 * The upstream is opened by the first session and kept until `close()`; if it dies, every session
 * on it is closed (their agents see the session end) and the next session opens a new one.
 */
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { SessionMux, type MuxOut } from './session-mux.js';
import type { UpstreamFactory } from './upstream.js';

export type SharedUpstreamFactory = UpstreamFactory & {
  /** Closes the shared upstream (and with it every session's port). */
  close(): Promise<void>;
};

class Port implements Transport {
  onmessage?: (message: JSONRPCMessage) => void;
  onclose?: () => void;
  onerror?: (error: Error) => void;
  open = true;

  constructor(private readonly hub: Hub) {}

  start(): Promise<void> {
    return this.hub.attach(this);
  }

  async send(message: JSONRPCMessage): Promise<void> {
    if (!this.open) throw new Error('session closed');
    this.hub.apply(this.hub.mux.fromSession(this, message));
  }

  async close(): Promise<void> {
    this.hub.detach(this);
  }

  /** Ends this session's side; idempotent. */
  ended(): void {
    if (!this.open) return;
    this.open = false;
    this.onclose?.();
  }
}

class Hub {
  mux = new SessionMux<Port>();
  private transport: Transport | undefined;
  private opening: Promise<Transport> | undefined;
  private readonly ports = new Set<Port>();

  constructor(private readonly open: UpstreamFactory) {}

  async attach(port: Port): Promise<void> {
    await this.upstream();
    this.ports.add(port);
    this.mux.attach(port);
  }

  detach(port: Port): void {
    if (!this.ports.delete(port)) return;
    this.apply(this.mux.detach(port));
    port.ended();
  }

  apply(outs: MuxOut<Port>[]): void {
    for (const o of outs) {
      if (o.to === 'session') {
        if (o.port.open) o.port.onmessage?.(o.msg);
      } else this.transport?.send(o.msg).catch(() => undefined);
    }
  }

  async close(): Promise<void> {
    const t = this.transport ?? (await this.opening?.catch(() => undefined));
    this.lost(t);
    await t?.close().catch(() => undefined);
  }

  private upstream(): Promise<Transport> {
    if (this.transport) return Promise.resolve(this.transport);
    this.opening ??= this.start().finally(() => (this.opening = undefined));
    return this.opening;
  }

  private async start(): Promise<Transport> {
    const t = await this.open();
    t.onmessage = (m) => {
      if (this.transport === t) this.apply(this.mux.fromUpstream(m));
    };
    t.onclose = () => this.lost(t);
    t.onerror = () => undefined;
    await t.start();
    this.transport = t;
    return t;
  }

  /** The upstream is gone: every session on it ends, and the next one starts afresh. */
  private lost(t: Transport | undefined): void {
    if (t === undefined || this.transport !== t) return;
    this.transport = undefined;
    this.mux = new SessionMux();
    const ports = [...this.ports];
    this.ports.clear();
    for (const p of ports) p.ended();
  }
}

/** Every session this factory opens shares one upstream from `open`. */
export function sharedUpstream(open: UpstreamFactory): SharedUpstreamFactory {
  const hub = new Hub(open);
  const factory = async () => new Port(hub);
  return Object.assign(factory, { close: () => hub.close() });
}
