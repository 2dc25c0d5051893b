/**
 * The agent side of the relay: MCP Streamable HTTP at `/t/{id}/mcp`. This file checks everything
 * that decides an HTTP status, in this order — draining 503, token 401/403, tunnel not served 404,
 * tunnel offline 503, session 404 (another's) or 403 (bound to other rights), method 405, Accept
 * 406, Content-Type 415, size 413, JSON 400, id 400, protocol version 400, session required 400,
 * second initialize 400, session quotas 429, scope 403, capacity 429 — and writes one audit line for
 * each refusal, each DELETE and each GET stream it opens. Admitted messages go to the core; each
 * session's `StreamableSession` carries the answers back. Because every session owns its streams, a
 * message the core delivers to a session cannot reach any other.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { SUPPORTED_PROTOCOL_VERSIONS } from '@modelcontextprotocol/sdk/types.js';
import { bearerToken, wwwAuthenticate, type AuthDecision } from '../relay/auth.js';
import { auditRecord, type AuditRecord, type AuditStatus } from '../relay/audit.js';
import { RELAY_ERROR, rpcError, type Message, type RequestId } from '../relay/core.js';
import { isCarriableId } from '../relay/jsonrpc.js';
import type { Grant } from '../relay/scopes.js';
import type { RelayContext } from './relay-options.js';
import { StreamableSession } from './streamable-session.js';

export class AgentSessions {
  private readonly transports = new Map<string, StreamableSession>();

  constructor(private readonly ctx: RelayContext) {}

  get size(): number {
    return this.transports.size;
  }

  deliver(sid: string, message: Message, relatedRequestId?: RequestId, raw?: string): void {
    this.transports.get(sid)?.send(message, relatedRequestId, raw);
  }

  end(sid: string): void {
    const t = this.transports.get(sid);
    if (!t) return;
    this.transports.delete(sid);
    t.close();
  }

  /** Keep-alive comments on open streams, and expiry of sessions idle past `sessionIdleMs`. */
  beat(now: number): void {
    for (const t of this.transports.values()) t.keepAlive();
    this.ctx.run(this.ctx.core.expireIdle(now, this.ctx.opts.sessionIdleMs, (sid) => this.transports.get(sid)?.streaming ?? false));
  }

  closeAll(): void {
    for (const sid of [...this.transports.keys()]) this.ctx.run(this.ctx.core.closeSession(sid, Date.now()));
  }

  async handle(req: IncomingMessage, res: ServerResponse, tunnel: string): Promise<void> {
    const { ctx } = this;
    const now = Date.now();
    const sidHeader = header(req, 'mcp-session-id');
    // The header is the client's: an audit line carries at most a session id's worth of it.
    const who: Partial<AuditRecord> = { tunnel, session: sidHeader === undefined ? null : sidHeader.slice(0, 64) };
    /** Audits the refusal, then answers it with a JSON-RPC error body. */
    const refuse = (http: number, status: AuditStatus, code: number, message: string, extra: Record<string, string> = {}, more: Partial<AuditRecord> = {}) => {
      ctx.opts.audit.write(auditRecord(now, { ...who, ...more, status, http, latencyMs: Date.now() - now }));
      sendJson(res, http, rpcError((more.requestId as RequestId | undefined) ?? null, code, message), extra);
    };
    const retryAfter = { 'Retry-After': String(ctx.opts.retryAfterSec) };
    if (ctx.draining) return refuse(503, 'draining', -32000, 'relay is draining', retryAfter);
    const token = bearerToken(header(req, 'authorization'));
    const want = { tunnel, role: 'use' } as const;
    // A token seen before is judged from memory (its expiry still checked; its session binding below).
    const decision = ctx.authorizer.cached(token, want, now) ?? (await ctx.authorizer.authorize(token, want, now));
    if (decision.kind === 'denied') {
      const www = wwwAuthenticate(decision, `${ctx.baseUrl()}/.well-known/oauth-protected-resource/t/${encodeURIComponent(tunnel)}/mcp`);
      return refuse(decision.status, decision.reason, -32001, describe(decision), { 'WWW-Authenticate': www });
    }
    const grant = decision.grant;
    who.subject = grant.subject;
    // Only after the token checks: whether a tunnel exists is not for strangers to learn.
    const state = ctx.core.state(tunnel);
    if (state === 'unknown') return refuse(404, 'unknown_tunnel', -32000, 'unknown tunnel');
    if (state === 'offline') return refuse(503, 'tunnel_offline', -32000, 'tunnel offline: its connector is not connected', retryAfter);
    let transport: StreamableSession | undefined;
    if (sidHeader !== undefined) {
      const binding = ctx.core.bind(sidHeader, tunnel, grant);
      transport = this.transports.get(sidHeader);
      if (binding === 'unknown_session' || !transport) return refuse(404, 'unknown_session', -32001, 'Session not found');
      // Every request is judged by its own token, and a session serves only tokens with the rights it was opened with.
      if (binding === 'session_mismatch') {
        return refuse(403, 'session_mismatch', RELAY_ERROR.forbidden, 'forbidden: this token does not carry the rights this session was opened with; initialize a new session', {
          'WWW-Authenticate': 'Bearer error="insufficient_scope", error_description="session_mismatch"',
        });
      }
    }
    const accept = header(req, 'accept') ?? '';
    if (req.method === 'GET') {
      if (!transport) return refuse(400, 'no_session', -32000, 'Bad Request: Mcp-Session-Id header is required');
      if (!accept.includes('text/event-stream')) return refuse(406, 'not_acceptable', -32000, 'Not Acceptable: Client must accept text/event-stream');
      if (!transport.get(res)) return refuse(409, 'stream_conflict', -32000, 'Conflict: only one SSE stream is allowed per session');
      ctx.opts.audit.write(auditRecord(now, { ...who, status: 'stream_opened', http: 200 }));
      return;
    }
    if (req.method === 'DELETE') {
      if (!transport) return refuse(400, 'no_session', -32000, 'Bad Request: Mcp-Session-Id header is required');
      ctx.run(ctx.core.closeSession(transport.sid, now));
      ctx.opts.audit.write(auditRecord(now, { ...who, status: 'session_deleted', http: 200 }));
      res.writeHead(200).end();
      return;
    }
    if (req.method !== 'POST') return refuse(405, 'method_not_allowed', -32000, 'Method not allowed', { Allow: 'GET, POST, DELETE' });
    if (!accept.includes('application/json') || !accept.includes('text/event-stream')) {
      return refuse(406, 'not_acceptable', -32000, 'Not Acceptable: Client must accept both application/json and text/event-stream');
    }
    if (!/^application\/json\s*(;|$)/i.test(header(req, 'content-type') ?? '')) {
      return refuse(415, 'unsupported_media_type', -32000, 'Unsupported Media Type: Content-Type must be application/json');
    }

    const body = await readBody(req, ctx.opts.maxFrameBytes);
    if (body === undefined) return refuse(413, 'oversized', -32000, `request body exceeds ${ctx.opts.maxFrameBytes} bytes`, { Connection: 'close' });
    const sized = { requestBytes: Buffer.byteLength(body) };
    let msg: Message;
    try {
      msg = JSON.parse(body) as Message;
    } catch {
      return refuse(400, 'malformed_json', -32700, 'Parse error: Invalid JSON', {}, sized);
    }
    if (!isJsonRpc(msg)) return refuse(400, 'malformed_json', -32600, 'Invalid Request: one JSON-RPC 2.0 message per POST', {}, sized);
    const method = typeof msg.method === 'string' ? msg.method.slice(0, 128) : null;
    // An id the relay could not carry unchanged (1.5, 1e400, 2^53 + 1, an over-long string) would never be answered.
    if (msg.id !== undefined && !isCarriableId(msg.id)) {
      return refuse(400, 'bad_id', -32600, 'Invalid Request: the id must be a string of at most 256 characters or a safe integer', {}, { ...sized, method });
    }
    const at = { ...sized, method, requestId: (msg.id as RequestId | undefined) ?? null };
    const version = header(req, 'mcp-protocol-version');
    if (transport && version !== undefined && !SUPPORTED_PROTOCOL_VERSIONS.includes(version)) {
      return refuse(400, 'bad_protocol_version', -32000, `Bad Request: Unsupported protocol version: ${version}`, {}, at);
    }
    if (!transport) {
      if (method !== 'initialize') return refuse(400, 'no_session', -32000, 'Bad Request: Mcp-Session-Id header is required', {}, at);
      // Each session may cost the private side a process (stdio upstreams), so their number is capped per tunnel and per subject.
      const full = ctx.core.sessionRefusal(grant);
      if (full) {
        const text = full === 'overloaded' ? 'tunnel has too many sessions' : 'this subject has too many sessions on the tunnel';
        ctx.opts.audit.write(auditRecord(now, { ...who, ...at, status: full, http: 429 }));
        return sendJson(res, 429, rpcError(at.requestId, RELAY_ERROR.overloaded, text), retryAfter);
      }
      transport = this.open(grant);
    } else if (method === 'initialize') {
      return refuse(400, 'already_initialized', -32600, 'Invalid Request: Server already initialized', {}, at);
    }
    const sid = transport.sid;
    const admit = ctx.core.admit(sid, msg, sized.requestBytes, now, grant);
    if (admit.kind !== 'ok') {
      ctx.opts.audit.write(admit.audit);
      const id = at.requestId;
      if (admit.kind === 'duplicate') return sendJson(res, 400, rpcError(id, -32600, 'Invalid Request: this id is already in flight in this session'));
      if (admit.kind === 'overloaded') {
        const text = admit.audit.status === 'subject_request_limit' ? 'this subject has too many requests in flight on the tunnel' : 'tunnel is at capacity';
        return sendJson(res, 429, rpcError(id, RELAY_ERROR.overloaded, text), retryAfter);
      }
      // The tool name came from the client: it goes into the header only if it cannot break it.
      const tool = admit.audit.tool ?? '';
      const scope = /^[\w.\-/:]{1,128}$/.test(tool) ? `, scope="tool:${tool}"` : '';
      const www = `Bearer error="insufficient_scope", error_description="${admit.reason}"${scope}`;
      return sendJson(res, 403, rpcError(id, RELAY_ERROR.forbidden, `tool not allowed by token scope: ${admit.audit.tool}`), { 'WWW-Authenticate': www });
    }
    ctx.opts.observer?.request?.(sid, tunnel, msg);
    transport.post(res, msg, (m) => ctx.run(ctx.core.fromAgent(sid, m, body, Date.now())));
  }

  private open(grant: Grant): StreamableSession {
    const sid = randomUUID();
    const t = new StreamableSession(sid, { jsonResponse: this.ctx.opts.jsonResponse });
    this.transports.set(sid, t);
    t.onabandon = (id) => this.ctx.run(this.ctx.core.abandon(sid, id, Date.now()));
    t.onclose = () => {
      if (this.transports.get(sid) === t) this.transports.delete(sid);
      this.ctx.run(this.ctx.core.closeSession(sid, Date.now()));
    };
    this.ctx.run(this.ctx.core.openSession(sid, grant, Date.now()));
    return t;
  }
}

/** One JSON-RPC 2.0 request, notification or response (batches are not part of MCP since 2025-06-18). */
function isJsonRpc(m: unknown): m is Message {
  if (m === null || typeof m !== 'object' || Array.isArray(m)) return false;
  const o = m as Message;
  if (o.jsonrpc !== '2.0') return false;
  const idOk = typeof o.id === 'string' || typeof o.id === 'number';
  if (typeof o.method === 'string') return o.id === undefined || idOk;
  return idOk && ('result' in o || 'error' in o);
}

function describe(d: Extract<AuthDecision, { kind: 'denied' }>): string {
  return d.status === 401 ? `unauthorized: ${d.reason}` : `forbidden: ${d.reason}`;
}

export function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.headersSent) return;
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

/** The request body as text, or `undefined` when it passes `max` bytes (reading stops there). */
export function readBody(req: IncomingMessage, max: number): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > max) {
      req.resume();
      return resolve(undefined);
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (c: Buffer) => {
      if (over) return;
      size += c.length;
      if (size > max) {
        over = true;
        chunks.length = 0;
        return;
      }
      chunks.push(c);
    });
    // One chunk (the usual small request) is decoded as it is, without a copy into a new buffer.
    req.on('end', () => resolve(over ? undefined : chunks.length === 1 ? chunks[0].toString('utf8') : Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
    // A client that resets mid-body: neither 'end' nor always 'error' fires, so 'close' decides.
    req.on('close', () => {
      if (!req.complete) reject(new Error('connection reset'));
    });
  });
}
