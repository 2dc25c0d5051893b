/**
 * The bookkeeping of one upstream MCP server shared by many agent sessions (`connect
 * --share-upstream`), sans I/O: every call takes one message and returns what to send where.
 *
 * - Requests get an upstream id of their own (1, 2, 3 …), so two sessions that both send `id: 1`
 *   cannot collide, and each answer goes back, under its original id, to the session that asked
 *   and to no other. A progress token is renamed to the upstream id the same way, so progress
 *   reaches only its own session; `notifications/cancelled` is renamed to the request it cancels,
 *   and dropped when that request is not the session's own.
 * - The upstream is initialized once, by the first session's `initialize`; later sessions are
 *   answered from that result (as mcp-proxy does), and only the first `notifications/initialized`
 *   is passed on.
 * - Notifications from the upstream name no session over one stdio pipe. List changes (the
 *   server's shared state) go to every session; `resources/updated` goes to the sessions that
 *   subscribed to that URI (subscriptions are counted here: the upstream is unsubscribed when the
 *   last session unsubscribes or leaves, and a session's unsubscribe never ends another's); any
 *   other (log messages above all, which may quote one session's arguments) is dropped, because it
 *   might be another session's. Requests from the upstream (sampling, elicitation, roots) cannot be routed either,
 *   so they are answered with an error — only `ping` is answered for real.
 * - A session that leaves cancels what it still had in flight.
 */
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';

type Id = string | number;
type Obj = Record<string, unknown>;

export type MuxOut<P> = { to: 'upstream'; msg: JSONRPCMessage } | { to: 'session'; port: P; msg: JSONRPCMessage };

/** Upstream notifications about state every session shares, sent to all of them. */
const LIST_CHANGED = /^notifications\/(tools|prompts|resources)\/list_changed$/;

/** Resource subscriptions one session may hold on a shared upstream. */
export const MAX_SUBSCRIPTIONS = 256;

/** JSON-RPC "method not found", the answer to upstream requests a shared upstream cannot route. */
export const UNROUTABLE = -32601;

interface Pending<P> {
  /** The session that asked; none for the mux's own requests (an unsubscribe after the last subscriber left). */
  port?: P;
  id: Id;
  /** The session's own progress token, when it asked for progress. */
  progress?: Id;
}

const isId = (x: unknown): x is Id => typeof x === 'string' || typeof x === 'number';
/** A rewritten copy of a message that was already JSON-RPC. */
const rpc = (x: Obj): JSONRPCMessage => x as unknown as JSONRPCMessage;

export class SessionMux<P> {
  private next = 1;
  private readonly pending = new Map<number, Pending<P>>();
  /** Per session: its request ids → upstream ids (for cancellations and for cleaning up when it leaves). */
  private readonly ports = new Map<P, Map<Id, number>>();
  private initId: number | undefined;
  private initWaiters: { port: P; id: Id }[] = [];
  private initResult: unknown;
  private initializedSent = false;
  /** Resource URI → the sessions subscribed to it. */
  private readonly subscribers = new Map<string, Set<P>>();
  /** Per session, how many URIs it is subscribed to (bounded: the table is the connector's memory). */
  private readonly subscriptions = new Map<P, number>();

  attach(port: P): void {
    if (!this.ports.has(port)) this.ports.set(port, new Map());
  }

  /** In-flight requests, all sessions. */
  get inFlight(): number {
    return this.pending.size;
  }

  fromSession(port: P, msg: JSONRPCMessage): MuxOut<P>[] {
    const ids = this.ports.get(port);
    if (!ids) return [];
    const m = msg as Obj;
    const method = typeof m.method === 'string' ? m.method : undefined;
    if (method === undefined) return []; // an answer to an upstream request: none is ever passed on
    if (isId(m.id)) {
      if (method === 'initialize') return this.initialize(port, m.id, msg);
      const uri = (m.params as Obj | undefined)?.uri;
      if (method === 'resources/subscribe' && typeof uri === 'string') {
        const subs = this.subscribers.get(uri) ?? new Set<P>();
        if (!subs.has(port)) {
          const held = this.subscriptions.get(port) ?? 0;
          if (held >= MAX_SUBSCRIPTIONS) {
            const error = { code: -32000, message: `at most ${MAX_SUBSCRIPTIONS} resource subscriptions per session on a shared upstream` };
            return [{ to: 'session', port, msg: rpc({ jsonrpc: '2.0', id: m.id, error }) }];
          }
          this.subscriptions.set(port, held + 1);
        }
        this.subscribers.set(uri, subs.add(port));
      } else if (method === 'resources/unsubscribe' && typeof uri === 'string') {
        // Only the last subscriber's unsubscribe reaches the upstream; the rest are answered here.
        const subs = this.subscribers.get(uri);
        if (subs?.delete(port)) this.subscriptions.set(port, (this.subscriptions.get(port) ?? 1) - 1);
        if (!subs || subs.size > 0) return [{ to: 'session', port, msg: rpc({ jsonrpc: '2.0', id: m.id, result: {} }) }];
        this.subscribers.delete(uri);
      }
      const up = this.next++;
      const entry: Pending<P> = { port, id: m.id };
      let params = m.params as Obj | undefined;
      const meta = params?._meta as Obj | undefined;
      if (meta && isId(meta.progressToken)) {
        entry.progress = meta.progressToken;
        params = { ...params, _meta: { ...meta, progressToken: up } };
      }
      this.pending.set(up, entry);
      ids.set(m.id, up);
      return [{ to: 'upstream', msg: rpc({ ...m, id: up, ...(params ? { params } : {}) }) }];
    }
    if (method === 'notifications/initialized') {
      if (this.initializedSent || this.initResult === undefined) return [];
      this.initializedSent = true;
      return [{ to: 'upstream', msg }];
    }
    if (method === 'notifications/cancelled') {
      const params = m.params as Obj | undefined;
      const up = params && isId(params.requestId) ? ids.get(params.requestId) : undefined;
      if (up === undefined) return [];
      // A cancelled request may never be answered (the spec lets a server stay silent): forget it now.
      const p = this.pending.get(up);
      if (p) this.forget(up, p);
      return [{ to: 'upstream', msg: rpc({ ...m, params: { ...params, requestId: up } }) }];
    }
    return [{ to: 'upstream', msg }];
  }

  fromUpstream(msg: JSONRPCMessage): MuxOut<P>[] {
    const m = msg as Obj;
    const method = typeof m.method === 'string' ? m.method : undefined;
    if (method === undefined) {
      if (typeof m.id !== 'number') return [];
      if (m.id === this.initId) return this.initialized(m);
      const p = this.pending.get(m.id);
      if (!p) return [];
      this.forget(m.id, p);
      return p.port === undefined ? [] : [{ to: 'session', port: p.port, msg: rpc({ ...m, id: p.id }) }];
    }
    if (isId(m.id)) {
      if (method === 'ping') return [{ to: 'upstream', msg: { jsonrpc: '2.0', id: m.id, result: {} } }];
      const error = { code: UNROUTABLE, message: `${method.slice(0, 64)} is not available: this upstream is shared by every session of the tunnel (connect --share-upstream), so a request from it has no session to go to` };
      return [{ to: 'upstream', msg: { jsonrpc: '2.0', id: m.id, error } }];
    }
    if (method === 'notifications/progress') {
      const params = m.params as Obj | undefined;
      const p = typeof params?.progressToken === 'number' ? this.pending.get(params.progressToken) : undefined;
      if (!p || p.port === undefined || p.progress === undefined) return [];
      return [{ to: 'session', port: p.port, msg: rpc({ ...m, params: { ...params, progressToken: p.progress } }) }];
    }
    if (method === 'notifications/resources/updated') {
      const uri = (m.params as Obj | undefined)?.uri;
      const subs = typeof uri === 'string' ? this.subscribers.get(uri) : undefined;
      return [...(subs ?? [])].map((port) => ({ to: 'session', port, msg }) as const);
    }
    if (!LIST_CHANGED.test(method)) return [];
    return [...this.ports.keys()].map((port) => ({ to: 'session', port, msg }) as const);
  }

  /** The session has gone: its requests still in flight are cancelled upstream. */
  detach(port: P): MuxOut<P>[] {
    const ids = this.ports.get(port);
    if (!ids) return [];
    this.ports.delete(port);
    this.subscriptions.delete(port);
    this.initWaiters = this.initWaiters.filter((w) => w.port !== port);
    const out: MuxOut<P>[] = [];
    for (const up of ids.values()) {
      if (!this.pending.delete(up)) continue;
      out.push({ to: 'upstream', msg: { jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: up, reason: 'the agent session ended' } } });
    }
    for (const [uri, subs] of this.subscribers) {
      if (!subs.delete(port) || subs.size > 0) continue;
      this.subscribers.delete(uri);
      const up = this.next++;
      this.pending.set(up, { id: up });
      out.push({ to: 'upstream', msg: rpc({ jsonrpc: '2.0', id: up, method: 'resources/unsubscribe', params: { uri } }) });
    }
    return out;
  }

  private initialize(port: P, id: Id, msg: JSONRPCMessage): MuxOut<P>[] {
    if (this.initResult !== undefined) return [{ to: 'session', port, msg: rpc({ jsonrpc: '2.0', id, result: this.initResult }) }];
    this.initWaiters.push({ port, id });
    if (this.initId !== undefined) return [];
    this.initId = this.next++;
    return [{ to: 'upstream', msg: rpc({ ...(msg as Obj), id: this.initId }) }];
  }

  private initialized(m: Obj): MuxOut<P>[] {
    this.initId = undefined;
    const waiters = this.initWaiters;
    this.initWaiters = [];
    // A refusal is passed on and not kept: the next session's initialize asks again.
    if (m.result !== undefined) this.initResult = m.result;
    return waiters.map(({ port, id }) => ({ to: 'session', port, msg: rpc({ ...m, id }) }) as const);
  }

  private forget(up: number, p: Pending<P>): void {
    this.pending.delete(up);
    const ids = p.port === undefined ? undefined : this.ports.get(p.port);
    if (ids?.get(p.id) === up) ids.delete(p.id);
  }
}
