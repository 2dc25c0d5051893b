/**
 * The relay's state machine, sans-IO. Every decision about agent traffic lives here: which tunnel a
 * session belongs to and whose rights it is bound to, whether a request may be sent (its own
 * token's scopes, per-subject quotas, admission), where a connector's message goes (only to a
 * session of that connector's own tunnel, and a response only to the session that owns its id),
 * what the agent sees when a connector drops or a request outlives its deadline, and the audit
 * record of every request. The live server feeds it parsed messages and the current time and
 * carries out the `Output`s it returns.
 *
 * A request's life: `admit` (HTTP layer, before the transport answers: may refuse with 403/429) →
 * `fromAgent` (the transport delivered it: forward now, or wait in the tunnel's FIFO queue) →
 * `fromConnector` with its response, `cancel`, `rejectedByConnector`, `tooLarge`,
 * `expireDeadlines`, `closeSession` or `connectorDown`; each of those frees its admission slot and
 * quota and emits exactly one audit record.
 */
import { Admission } from './admission.js';
import { coreOptions, type RelayCoreOptions } from './core-options.js';
import { auditRecord, type AuditStatus } from './audit.js';
import { decideTool, filterTools, learnTools, scopeKey, type Grant } from './scopes.js';
import { isRequest, isToolList, RELAY_ERROR, rpcError, toolName, type Message, type RequestId } from './jsonrpc.js';
import type { Admit, Binding, Output } from './outputs.js';
import { pendingRequest } from './request.js';
import { SubjectQuotas } from './quota.js';
import { cancelUpstream, expireSession, foreign, settle, type Session, type Tunnel } from './session.js';

export { RELAY_ERROR, rpcError, type Message, type RequestId } from './jsonrpc.js';
export type { Admit, Binding, Output } from './outputs.js';

export type TunnelState = 'online' | 'offline' | 'unknown';

export class RelayCore {
  private readonly tunnels = new Map<string, Tunnel>();
  private readonly sessions = new Map<string, Session>();
  private readonly quotas = new SubjectQuotas();
  private readonly opts: Omit<RelayCoreOptions, 'tunnels'>;
  private readonly configured: ReadonlySet<string> | undefined;

  constructor(options: Partial<RelayCoreOptions> = {}) {
    const { tunnels, ...rest } = options;
    this.opts = coreOptions(rest);
    this.configured = tunnels ? new Set(tunnels) : undefined;
  }

  /** May a connector serve this tunnel id at all? */
  accepts(tunnel: string): boolean {
    return !this.configured || this.configured.has(tunnel);
  }

  /**
   * `online` with a connector; `offline` for a tunnel the relay serves whose connector is away
   * (dropped, reconnecting, not yet started: agents get 503 and Retry-After); `unknown` for an id
   * the config does not list (404).
   */
  state(tunnel: string): TunnelState {
    if (this.tunnels.has(tunnel)) return 'online';
    return this.accepts(tunnel) ? 'offline' : 'unknown';
  }

  /** Who holds a session; `undefined` when there is no such session. */
  session(sid: string): { tunnel: string; subject: string } | undefined {
    const s = this.sessions.get(sid);
    return s && { tunnel: s.tunnel, subject: s.grant.subject };
  }

  /**
   * May a request carrying `grant` use session `sid` on `tunnel`? Another tunnel's or another
   * subject's session looks like no session at all (404: session ids are not for strangers to
   * probe); the same subject with different rights — a narrowed or widened token — is refused (403).
   */
  bind(sid: string, tunnel: string, grant: Grant): Binding {
    const s = this.sessions.get(sid);
    if (!s || s.tunnel !== tunnel || s.grant.subject !== grant.subject) return 'unknown_session';
    return scopeKey(grant) === s.binding ? 'ok' : 'session_mismatch';
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

  /** Subjects with a session or request open (bounded by sessions; for tests of the bound). */
  get subjectCount(): number {
    return this.quotas.size;
  }

  /**
   * A connector wants to serve `tunnel`. The rule: the connector that holds a tunnel keeps it until
   * it goes away (closes, misses two heartbeats, lets its token expire); any other connector,
   * whatever its token, is refused (`false`) and retries with backoff. So two connectors never
   * displace each other, and a stolen connect token cannot take a live tunnel.
   */
  connectorUp(tunnel: string): boolean {
    if (this.tunnels.has(tunnel)) return false;
    this.tunnels.set(tunnel, { id: tunnel, admission: new Admission(this.opts), catalog: new Map(), sessions: new Set() });
    return true;
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

  /** Why a new session for `grant` must be refused (429), if it must. */
  sessionRefusal(grant: Grant): 'overloaded' | 'subject_session_limit' | undefined {
    if (this.sessionsOn(grant.tunnel) >= this.opts.maxSessionsPerTunnel) return 'overloaded';
    if (this.quotas.sessions(grant.tunnel, grant.subject) >= this.opts.maxSessionsPerSubject) return 'subject_session_limit';
    return undefined;
  }

  openSession(sid: string, grant: Grant, now: number): Output[] {
    const t = this.tunnels.get(grant.tunnel);
    if (!t) return [];
    const quota = this.quotas.get(grant.tunnel, grant.subject);
    quota.sessions++;
    t.sessions.add(sid);
    this.sessions.set(sid, { sid, tunnel: grant.tunnel, grant, binding: scopeKey(grant), quota, pending: new Map(), progress: new Map(), lastSeen: now });
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

  /**
   * Fails every request older than `requestTimeoutMs`: its slot and quota are freed, the agent gets
   * -32016, and a request that reached the upstream is cancelled there. A session's requests are
   * kept in arrival order, so each session's scan stops at its first request still in time.
   */
  expireDeadlines(now: number): Output[] {
    const out: Output[] = [];
    for (const s of this.sessions.values()) expireSession(s, this.tunnels.get(s.tunnel), now, this.opts.requestTimeoutMs, out, this.sessions);
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

  /** The connector of `tunnel` says the upstream ended session `sid`; only its own sessions count. */
  connectorClosed(tunnel: string, sid: string, now: number): Output[] {
    const s = this.sessions.get(sid);
    if (!s) return [];
    if (s.tunnel !== tunnel) return foreign(tunnel, sid, 'closed', now);
    const out: Output[] = [];
    this.endSession(sid, now, 'session_closed', out);
    return out;
  }

  /**
   * First look at a request from an agent, before the HTTP response is chosen: refuse a tool the
   * request's own token does not cover (403), or a request past the subject's quota or the tunnel's
   * queue (429); otherwise take a slot. The caller has checked `bind` for this grant.
   */
  admit(sid: string, msg: Message, bytes: number, now: number, grant: Grant): Admit {
    const s = this.sessions.get(sid);
    const t = s && this.tunnels.get(s.tunnel);
    if (s) s.lastSeen = now;
    if (!s || !t || !isRequest(msg)) return { kind: 'ok' };
    const method = clip(msg.method as string);
    const tool = msg.method === 'tools/call' ? toolName(msg) : null;
    const base = { tunnel: s.tunnel, subject: grant.subject, session: sid, method, tool: tool === null ? null : clip(tool), requestId: msg.id as RequestId, requestBytes: bytes };
    // An id may be reused only once its request has settled; otherwise answers could not be told apart.
    if (s.pending.has(msg.id as RequestId)) return { kind: 'duplicate', audit: auditRecord(now, { ...base, status: 'duplicate_id', http: 400 }) };
    if (tool !== null) {
      const d = decideTool(grant, tool, t.catalog);
      if (d.kind === 'deny') return { kind: 'deny', reason: d.reason, audit: auditRecord(now, { ...base, status: d.reason, http: 403 }) };
    }
    if (s.quota.requests >= this.opts.maxRequestsPerSubject) {
      return { kind: 'overloaded', audit: auditRecord(now, { ...base, status: 'subject_request_limit', http: 429 }) };
    }
    const p = pendingRequest(sid, msg, grant, method, base.tool, bytes, now);
    // Shedding drops queued work, never a session's own requests (initialize, tools/list, ping):
    // shedding those would break the session rather than lighten the load.
    const a = t.admission.offer(p, now, method === 'tools/call');
    if (a.kind === 'rejected') return { kind: 'overloaded', audit: auditRecord(now, { ...base, status: 'overloaded', http: 429 }) };
    if (a.kind === 'queued') p.state = 'queued';
    s.quota.requests++;
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
      return p.state === 'admitted' ? [{ kind: 'forward', tunnel: s.tunnel, sid, id: p.id, body }] : [];
    }
    const id = typeof msg.id === 'string' || typeof msg.id === 'number' ? msg.id : null;
    if (msg.method === 'notifications/cancelled') {
      const target = (msg.params as { requestId?: RequestId } | undefined)?.requestId;
      const p = target === undefined ? undefined : s.pending.get(target);
      if (p) {
        const out: Output[] = [];
        const wasQueued = p.state === 'queued';
        settle(s, this.tunnels.get(s.tunnel), p, now, 'cancelled', 0, out, this.sessions);
        // A queued request never reached the server, so there is nothing to cancel there.
        if (wasQueued) return out;
        out.push({ kind: 'forward', tunnel: s.tunnel, sid, id, body });
        return out;
      }
    }
    return [{ kind: 'forward', tunnel: s.tunnel, sid, id, body }];
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
    settle(s, this.tunnels.get(s.tunnel), p, now, 'client_gone', 0, out, this.sessions);
    if (reached) out.push(cancelUpstream(s, id, 'client disconnected'));
    return out;
  }

  /**
   * A message from the connector of `tunnel` for session `sid`. `rel`, when the connector knows it,
   * is the agent request this message was sent in the course of (the upstream sent it on that
   * request's stream): the agent then gets it on the same stream, as from a direct server.
   */
  fromConnector(tunnel: string, sid: string, body: string, now: number, rel?: RequestId): Output[] {
    const s = this.sessions.get(sid);
    if (!s) return [];
    // A connector may only speak into sessions of its own tunnel.
    if (s.tunnel !== tunnel) return foreign(tunnel, sid, 'msg', now);
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
        msg = { ...msg, result: { ...msg.result, tools: filterTools(p.grant, msg.result.tools) } };
        raw = undefined;
      }
      settle(s, this.tunnels.get(s.tunnel), p, now, 'error' in msg ? 'rpc_error' : 'ok', Buffer.byteLength(body), out, this.sessions);
      out.push({ kind: 'deliver', sid, message: msg, raw });
      return out;
    }
    let related = rel !== undefined && s.pending.has(rel) ? rel : undefined;
    if (msg.method === 'notifications/progress') {
      const token = (msg.params as { progressToken?: string | number } | undefined)?.progressToken;
      related = (token === undefined ? undefined : s.progress.get(token)) ?? related;
    }
    return [{ kind: 'deliver', sid, message: msg, relatedRequestId: related, raw: body }];
  }

  /** The connector refused a forwarded frame (signature, timestamp or nonce checks). */
  rejectedByConnector(tunnel: string, sid: string, id: RequestId | null, reason: AuditStatus, now: number): Output[] {
    const s = this.sessions.get(sid);
    if (!s) return [];
    if (s.tunnel !== tunnel) return foreign(tunnel, sid, 'reject', now);
    const p = id === null ? undefined : s.pending.get(id);
    if (!p) return [];
    const out: Output[] = [];
    settle(s, this.tunnels.get(s.tunnel), p, now, reason, 0, out, this.sessions);
    out.push({ kind: 'deliver', sid, message: rpcError(p.id, RELAY_ERROR.frameRejected, `tunnel connector rejected the request: ${reason}`) });
    return out;
  }

  /**
   * The upstream's answer to `id` is `bytes` long, past the tunnel's frame limit: that one request
   * fails with a clear error, and nothing else on the tunnel notices.
   */
  tooLarge(tunnel: string, sid: string, id: RequestId, bytes: number, now: number): Output[] {
    const s = this.sessions.get(sid);
    if (!s) return [];
    if (s.tunnel !== tunnel) return foreign(tunnel, sid, 'too_large', now);
    const p = s.pending.get(id);
    if (!p) return [];
    const out: Output[] = [];
    settle(s, this.tunnels.get(s.tunnel), p, now, 'result_too_large', 0, out, this.sessions);
    const text = `result too large for the tunnel: ${bytes} bytes, the frame limit is ${this.opts.maxFrameBytes} bytes`;
    out.push({ kind: 'deliver', sid, message: rpcError(p.id, RELAY_ERROR.resultTooLarge, text) });
    return out;
  }

  private endSession(sid: string, now: number, status: 'connector_lost' | 'session_closed', out: Output[]): void {
    const s = this.sessions.get(sid);
    if (!s) return;
    const text = status === 'connector_lost' ? 'tunnel connector disconnected' : 'session closed';
    const code = status === 'connector_lost' ? RELAY_ERROR.connectorLost : RELAY_ERROR.sessionClosed;
    for (const p of [...s.pending.values()]) {
      settle(s, this.tunnels.get(s.tunnel), p, now, status, 0, out, this.sessions);
      out.push({ kind: 'deliver', sid, message: rpcError(p.id, code, text) });
    }
    this.sessions.delete(sid);
    this.tunnels.get(s.tunnel)?.sessions.delete(sid);
    s.quota.sessions--;
    this.quotas.release(s.tunnel, s.grant.subject, s.quota);
    out.push({ kind: 'endSession', sid });
  }
}

/** Names from the client go into audit lines at most 128 characters long: a line must not carry a megabyte. */
function clip(name: string): string {
  return name.length > 128 ? `${name.slice(0, 128)}…` : name;
}
