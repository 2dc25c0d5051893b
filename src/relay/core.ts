/**
 * The relay's state machine, sans-IO. Every decision about agent traffic lives here: which tunnel a
 * session belongs to, whether a request may be sent (scopes, admission), where a connector's
 * message goes (only to the session that owns the request id), what the agent sees when a connector
 * drops, and the audit record of every request. The live server feeds it parsed messages and the
 * current time and carries out the `Output`s it returns; the simulator can drive it the same way.
 *
 * A request's life: `admit` (HTTP layer, before the transport answers: may refuse with 403/429) →
 * `fromAgent` (the transport delivered it: forward now, or wait in the tunnel's FIFO queue) →
 * `fromConnector` with its response, `cancel`, `rejectedByConnector`, `closeSession` or
 * `connectorDown`; each of those frees its admission slot and emits exactly one audit record.
 */
import { Admission, type AdmissionOptions } from './admission.js';
import { auditRecord, type AuditRecord, type AuditStatus } from './audit.js';
import { decideTool, filterTools, learnTools, type Grant } from './scopes.js';
import { isRequest, isToolList, RELAY_ERROR, rpcError, toolName, type Message, type RequestId } from './jsonrpc.js';
import { dequeue, pendingRequest, settledAudit, type PendingRequest } from './request.js';

export { RELAY_ERROR, rpcError, type Message, type RequestId } from './jsonrpc.js';

export type Output =
  | { kind: 'open'; tunnel: string; sid: string }
  | { kind: 'close'; tunnel: string; sid: string }
  | { kind: 'forward'; tunnel: string; sid: string; body: string }
  /** `raw`, when set, is `message` exactly as the connector sent it: the agent gets those bytes. */
  | { kind: 'deliver'; sid: string; message: Message; relatedRequestId?: RequestId; raw?: string }
  | { kind: 'endSession'; sid: string }
  | { kind: 'audit'; record: AuditRecord };

export type Admit =
  | { kind: 'ok' }
  | { kind: 'deny'; reason: 'tool_not_allowed' | 'read_only'; audit: AuditRecord }
  | { kind: 'overloaded'; audit: AuditRecord }
  | { kind: 'duplicate'; audit: AuditRecord };

interface Session {
  sid: string;
  tunnel: string;
  grant: Grant;
  pending: Map<RequestId, PendingRequest>;
  progress: Map<string | number, RequestId>;
  /** Last request or answer, ms; for idle expiry. */
  lastSeen: number;
}

interface Tunnel {
  id: string;
  online: boolean;
  admission: Admission<PendingRequest>;
  catalog: Map<string, { readOnly: boolean }>;
  sessions: Set<string>;
}

export type TunnelState = 'online' | 'offline' | 'unknown';

export interface RelayCoreOptions extends AdmissionOptions {
  /**
   * Tunnel ids the relay serves; an agent asking for another one gets 404. `undefined` means any id
   * a connector holds a valid token for. @default undefined
   */
  tunnels?: readonly string[];
}

export class RelayCore {
  private readonly tunnels = new Map<string, Tunnel>();
  private readonly sessions = new Map<string, Session>();
  private readonly admission: AdmissionOptions;
  private readonly configured: ReadonlySet<string> | undefined;

  constructor(options: Partial<RelayCoreOptions> = {}) {
    const { tunnels, ...admission } = options;
    this.admission = { maxInFlight: admission.maxInFlight ?? 256, queue: admission.queue ?? 1024, shedding: admission.shedding };
    this.configured = tunnels ? new Set(tunnels) : undefined;
  }

  /** May a connector serve this tunnel id at all? */
  accepts(tunnel: string): boolean {
    return !this.configured || this.configured.has(tunnel);
  }

  state(tunnel: string): TunnelState {
    const t = this.tunnels.get(tunnel);
    if (t?.online) return 'online';
    return this.configured?.has(tunnel) ? 'offline' : 'unknown';
  }

  session(sid: string): { tunnel: string; subject: string } | undefined {
    const s = this.sessions.get(sid);
    return s && { tunnel: s.tunnel, subject: s.grant.subject };
  }

  inFlight(tunnel: string): number {
    return this.tunnels.get(tunnel)?.admission.inFlight ?? 0;
  }

  /** Requests waiting in the tunnel's queue for an in-flight slot. */
  queued(tunnel: string): number {
    return this.tunnels.get(tunnel)?.admission.queued ?? 0;
  }

  /** Has the relay seen `tool` listed on `tunnel` (by an agent or the connector)? */
  knowsTool(tunnel: string, tool: string): boolean {
    return this.tunnels.get(tunnel)?.catalog.has(tool) ?? false;
  }

  /** Open agent sessions on a tunnel. */
  sessionsOn(tunnel: string): number {
    return this.tunnels.get(tunnel)?.sessions.size ?? 0;
  }

  /** Requests forwarded or waiting, over every tunnel. */
  totalInFlight(): number {
    let n = 0;
    for (const t of this.tunnels.values()) n += t.admission.inFlight + t.admission.queued;
    return n;
  }

  get sessionCount(): number {
    return this.sessions.size;
  }

  connectorUp(tunnel: string): void {
    let t = this.tunnels.get(tunnel);
    if (!t) {
      t = { id: tunnel, online: true, admission: new Admission(this.admission), catalog: new Map(), sessions: new Set() };
      this.tunnels.set(tunnel, t);
    }
    t.online = true;
  }

  /** The connector's own listing of its upstream's tools, so read-only grants work before any agent lists them. */
  learnCatalog(tunnel: string, tools: readonly { name: string; readOnly: boolean }[]): void {
    const t = this.tunnels.get(tunnel);
    if (t) learnTools(t.catalog, tools.map((x) => ({ name: x.name, annotations: { readOnlyHint: x.readOnly } })));
  }

  /** The connector is gone: every request on the tunnel fails now, and its sessions end. */
  connectorDown(tunnel: string, now: number): Output[] {
    const t = this.tunnels.get(tunnel);
    if (!t) return [];
    const out: Output[] = [];
    for (const sid of [...t.sessions]) this.endSession(sid, now, 'connector_lost', out);
    t.admission.drain();
    // The catalog describes the old upstream; a reconnecting connector may serve another.
    this.tunnels.delete(tunnel);
    return out;
  }

  openSession(sid: string, grant: Grant, now: number): Output[] {
    const t = this.tunnels.get(grant.tunnel);
    if (!t?.online) return [];
    t.sessions.add(sid);
    this.sessions.set(sid, { sid, tunnel: grant.tunnel, grant, pending: new Map(), progress: new Map(), lastSeen: now });
    return [{ kind: 'open', tunnel: grant.tunnel, sid }];
  }

  /**
   * Closes sessions with nothing in flight and no traffic for `idleMs`, unless `busy` says the agent
   * still holds a stream open: an agent that vanished without DELETE must not keep its upstream
   * session (a spawned stdio server, say) alive for ever.
   */
  expireIdle(now: number, idleMs: number, busy: (sid: string) => boolean): Output[] {
    const out: Output[] = [];
    for (const s of [...this.sessions.values()]) {
      if (s.pending.size === 0 && now - s.lastSeen >= idleMs && !busy(s.sid)) out.push(...this.closeSession(s.sid, now));
    }
    return out;
  }

  /** The agent ended its session (DELETE) or the relay closed it. */
  closeSession(sid: string, now: number): Output[] {
    const s = this.sessions.get(sid);
    if (!s) return [];
    const out: Output[] = [];
    this.endSession(sid, now, 'session_closed', out);
    out.push({ kind: 'close', tunnel: s.tunnel, sid });
    return out;
  }

  /**
   * First look at a request from an agent, before the HTTP response is chosen: refuse a tool the
   * grant does not cover (403) or a request past the tunnel's queue (429); otherwise take a slot.
   */
  admit(sid: string, msg: Message, bytes: number, now: number): Admit {
    const s = this.sessions.get(sid);
    const t = s && this.tunnels.get(s.tunnel);
    if (s) s.lastSeen = now;
    if (!s || !t || !isRequest(msg)) return { kind: 'ok' };
    const method = msg.method as string;
    const tool = method === 'tools/call' ? toolName(msg) : null;
    const base = { tunnel: s.tunnel, subject: s.grant.subject, session: sid, method, tool, requestId: msg.id as RequestId, requestBytes: bytes };
    // An id may be reused only once its request has settled; otherwise answers could not be told apart.
    if (s.pending.has(msg.id as RequestId)) return { kind: 'duplicate', audit: auditRecord(now, { ...base, status: 'duplicate_id', http: 400 }) };
    if (tool !== null) {
      const d = decideTool(s.grant, tool, t.catalog);
      if (d.kind === 'deny') return { kind: 'deny', reason: d.reason, audit: auditRecord(now, { ...base, status: d.reason, http: 403 }) };
    }
    const p = pendingRequest(sid, msg, method, tool, bytes, now);
    const a = t.admission.offer(p, now);
    if (a.kind === 'rejected') return { kind: 'overloaded', audit: auditRecord(now, { ...base, status: 'overloaded', http: 429 }) };
    if (a.kind === 'queued') p.state = 'queued';
    s.pending.set(p.id, p);
    if (p.progressToken !== undefined) s.progress.set(p.progressToken, p.id);
    return { kind: 'ok' };
  }

  /** The transport handed over a message from the agent. */
  fromAgent(sid: string, msg: Message, body: string, now: number): Output[] {
    const s = this.sessions.get(sid);
    if (!s) return [];
    if (isRequest(msg)) {
      const p = s.pending.get(msg.id as RequestId);
      if (!p) return []; // never admitted (its session was torn down in between)
      p.body = body;
      return p.state === 'admitted' ? [{ kind: 'forward', tunnel: s.tunnel, sid, body }] : [];
    }
    if (msg.method === 'notifications/cancelled') {
      const id = (msg.params as { requestId?: RequestId } | undefined)?.requestId;
      const p = id === undefined ? undefined : s.pending.get(id);
      if (p) {
        const out: Output[] = [];
        const wasQueued = p.state === 'queued';
        this.settle(s, p, now, 'cancelled', 0, out);
        // A queued request never reached the server, so there is nothing to cancel there.
        if (wasQueued) return out;
        out.push({ kind: 'forward', tunnel: s.tunnel, sid, body });
        return out;
      }
    }
    return [{ kind: 'forward', tunnel: s.tunnel, sid, body }];
  }

  /**
   * The agent's stream for a request closed before its answer. Without resumability the answer can
   * never be delivered, so the relay frees the slot and, acting for the client, cancels the work
   * upstream rather than let it run for nobody.
   */
  abandon(sid: string, id: RequestId, now: number): Output[] {
    const s = this.sessions.get(sid);
    const p = s?.pending.get(id);
    if (!s || !p) return [];
    const out: Output[] = [];
    const reached = p.state === 'admitted' && p.body !== undefined;
    this.settle(s, p, now, 'client_gone', 0, out);
    if (reached) {
      const cancel = { jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: id, reason: 'client disconnected' } };
      out.push({ kind: 'forward', tunnel: s.tunnel, sid, body: JSON.stringify(cancel) });
    }
    return out;
  }

  /** A message from the connector of `tunnel` for session `sid`. */
  fromConnector(tunnel: string, sid: string, body: string, now: number): Output[] {
    const s = this.sessions.get(sid);
    // A connector may only speak into sessions of its own tunnel.
    if (!s || s.tunnel !== tunnel) return [];
    s.lastSeen = now;
    let msg: Message;
    try {
      msg = JSON.parse(body) as Message;
    } catch {
      return [];
    }
    if (msg === null || typeof msg !== 'object') return [];
    if (('result' in msg || 'error' in msg) && (typeof msg.id === 'string' || typeof msg.id === 'number')) {
      const p = s.pending.get(msg.id);
      if (!p) return []; // cancelled, failed, or not this session's: never delivered elsewhere
      const out: Output[] = [];
      let raw: string | undefined = body;
      if (p.method === 'tools/list' && isToolList(msg.result)) {
        const t = this.tunnels.get(tunnel);
        if (t) learnTools(t.catalog, msg.result.tools);
        msg = { ...msg, result: { ...msg.result, tools: filterTools(s.grant, msg.result.tools) } };
        raw = undefined;
      }
      this.settle(s, p, now, 'error' in msg ? 'rpc_error' : 'ok', Buffer.byteLength(body), out);
      out.push({ kind: 'deliver', sid, message: msg, raw });
      return out;
    }
    if (msg.method === 'notifications/progress') {
      const token = (msg.params as { progressToken?: string | number } | undefined)?.progressToken;
      const rel = token === undefined ? undefined : s.progress.get(token);
      return [{ kind: 'deliver', sid, message: msg, relatedRequestId: rel, raw: body }];
    }
    return [{ kind: 'deliver', sid, message: msg, raw: body }];
  }

  /** The connector refused a forwarded frame (signature, timestamp or nonce checks). */
  rejectedByConnector(tunnel: string, sid: string, id: RequestId | null, reason: AuditStatus, now: number): Output[] {
    const s = this.sessions.get(sid);
    if (!s || s.tunnel !== tunnel || id === null) return [];
    const p = s.pending.get(id);
    if (!p) return [];
    const out: Output[] = [];
    this.settle(s, p, now, reason, 0, out);
    out.push({ kind: 'deliver', sid, message: rpcError(id, RELAY_ERROR.frameRejected, `tunnel connector rejected the request: ${reason}`) });
    return out;
  }

  private endSession(sid: string, now: number, status: 'connector_lost' | 'session_closed', out: Output[]): void {
    const s = this.sessions.get(sid);
    if (!s) return;
    const text = status === 'connector_lost' ? 'tunnel connector disconnected' : 'session closed';
    const code = status === 'connector_lost' ? RELAY_ERROR.connectorLost : RELAY_ERROR.sessionClosed;
    for (const p of [...s.pending.values()]) {
      this.settle(s, p, now, status, 0, out);
      out.push({ kind: 'deliver', sid, message: rpcError(p.id, code, text) });
    }
    this.sessions.delete(sid);
    this.tunnels.get(s.tunnel)?.sessions.delete(sid);
    out.push({ kind: 'endSession', sid });
  }

  /** Queued requests the tunnel's admission shed for waiting too long: an overload error each, and their audit records. */
  private answerShed(t: Tunnel, now: number, out: Output[]): void {
    for (const p of t.admission.shed) {
      const s = this.sessions.get(p.sid);
      if (!s) continue;
      s.pending.delete(p.id);
      if (p.progressToken !== undefined) s.progress.delete(p.progressToken);
      out.push({ kind: 'audit', record: settledAudit(p, { tunnel: s.tunnel, subject: s.grant.subject, session: s.sid }, now, 'shed', 0) });
      out.push({ kind: 'deliver', sid: s.sid, message: rpcError(p.id, RELAY_ERROR.shed, `shed: waited ${Math.round(now - p.start)} ms in the relay's queue`) });
    }
    t.admission.shed.length = 0;
  }

  /** Ends one request: its slot goes to the next waiting request, and it gets its audit record. */
  private settle(s: Session, p: PendingRequest, now: number, status: AuditStatus, responseBytes: number, out: Output[]): void {
    s.pending.delete(p.id);
    if (p.progressToken !== undefined) s.progress.delete(p.progressToken);
    out.push({ kind: 'audit', record: settledAudit(p, { tunnel: s.tunnel, subject: s.grant.subject, session: s.sid }, now, status, responseBytes) });
    const t = this.tunnels.get(s.tunnel);
    if (!t) return;
    if (p.state === 'queued') {
      t.admission.withdraw(p);
      return;
    }
    const next = t.admission.release(now);
    if (t.admission.shed.length > 0) this.answerShed(t, now, out);
    if (!next) return;
    dequeue(next, now);
    if (next.body !== undefined) out.push({ kind: 'forward', tunnel: s.tunnel, sid: next.sid, body: next.body });
  }
}
