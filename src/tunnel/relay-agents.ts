/**
 * The agent side of the relay: MCP Streamable HTTP at `/t/{id}/mcp`. This file checks everything
 * that decides an HTTP status (draining 503, unknown tunnel 404, token 401/403, session owner 404,
 * size 413, JSON 400, Accept 406, Content-Type 415, protocol version 400, scope 403, capacity 429)
 * and hands admitted messages to the core; each session's `StreamableSession` carries the answers
 * back. Because every session owns its streams, a message the core delivers to a session cannot
 * reach any other.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { SUPPORTED_PROTOCOL_VERSIONS } from '@modelcontextprotocol/sdk/types.js';
import { bearerToken, wwwAuthenticate, type AuthDecision } from '../relay/auth.js';
import { auditRecord, type AuditStatus } from '../relay/audit.js';
import { RELAY_ERROR, rpcError, type Message, type RequestId } from '../relay/core.js';
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
    const base = { tunnel, session: sidHeader ?? null };
    const fail = (http: number, status: AuditStatus, code: number, message: string, extra: Record<string, string> = {}, id: RequestId | null = null) => {
      ctx.opts.audit.write(auditRecord(now, { ...base, status, http, latencyMs: Date.now() - now }));
      sendJson(res, http, rpcError(id, code, message), extra);
    };
    if (ctx.draining) return fail(503, 'draining', -32000, 'relay is draining', { 'Retry-After': String(ctx.opts.retryAfterSec) });
    const decision = await ctx.authorizer.authorize(bearerToken(header(req, 'authorization')), { tunnel, role: 'use' }, now);
    if (decision.kind === 'denied') {
      const www = wwwAuthenticate(decision, `${ctx.baseUrl()}/.well-known/oauth-protected-resource/t/${encodeURIComponent(tunnel)}/mcp`);
      return fail(decision.status, decision.reason, -32001, describe(decision), { 'WWW-Authenticate': www });
    }
    const grant = decision.grant;
    const auditAs = { ...base, subject: grant.subject };
    // Only after the token checks: whether a tunnel exists is not for strangers to learn.
    const state = ctx.core.state(tunnel);
    if (state === 'unknown') {
      ctx.opts.audit.write(auditRecord(now, { ...auditAs, status: 'unknown_tunnel', http: 404 }));
      return sendJson(res, 404, rpcError(null, -32000, 'unknown tunnel'));
    }
    if (state === 'offline') {
      ctx.opts.audit.write(auditRecord(now, { ...auditAs, status: 'tunnel_offline', http: 503 }));
      return sendJson(res, 503, rpcError(null, -32000, 'tunnel connector is offline'), { 'Retry-After': String(ctx.opts.retryAfterSec) });
    }
    let transport: StreamableSession | undefined;
    if (sidHeader !== undefined) {
      const owner = ctx.core.session(sidHeader);
      transport = this.transports.get(sidHeader);
      // A session id is only good on its own tunnel and for the subject that opened it.
      if (!owner || !transport || owner.tunnel !== tunnel || owner.subject !== grant.subject) {
        ctx.opts.audit.write(auditRecord(now, { ...auditAs, status: 'unknown_session', http: 404 }));
        return sendJson(res, 404, rpcError(null, -32001, 'Session not found'));
      }
    }
    const accept = header(req, 'accept') ?? '';
    if (req.method === 'GET') {
      if (!transport) return sendJson(res, 400, rpcError(null, -32000, 'Bad Request: Mcp-Session-Id header is required'));
      if (!accept.includes('text/event-stream')) return sendJson(res, 406, rpcError(null, -32000, 'Not Acceptable: Client must accept text/event-stream'));
      return transport.get(res);
    }
    if (req.method === 'DELETE') {
      if (!transport) return sendJson(res, 400, rpcError(null, -32000, 'Bad Request: Mcp-Session-Id header is required'));
      ctx.run(ctx.core.closeSession(transport.sid, now));
      res.writeHead(200).end();
      return;
    }
    if (req.method !== 'POST') return sendJson(res, 405, rpcError(null, -32000, 'Method not allowed'), { Allow: 'GET, POST, DELETE' });
    if (!accept.includes('application/json') || !accept.includes('text/event-stream')) {
      return sendJson(res, 406, rpcError(null, -32000, 'Not Acceptable: Client must accept both application/json and text/event-stream'));
    }
    if (!/^application\/json\s*(;|$)/i.test(header(req, 'content-type') ?? '')) {
      return sendJson(res, 415, rpcError(null, -32000, 'Unsupported Media Type: Content-Type must be application/json'));
    }

    const body = await readBody(req, ctx.opts.maxFrameBytes);
    if (body === undefined) {
      ctx.opts.audit.write(auditRecord(now, { ...auditAs, status: 'oversized', http: 413 }));
      return sendJson(res, 413, rpcError(null, -32000, `request body exceeds ${ctx.opts.maxFrameBytes} bytes`), { Connection: 'close' });
    }
    let msg: Message;
    try {
      msg = JSON.parse(body) as Message;
    } catch {
      ctx.opts.audit.write(auditRecord(now, { ...auditAs, status: 'malformed_json', http: 400, requestBytes: body.length }));
      return sendJson(res, 400, rpcError(null, -32700, 'Parse error: Invalid JSON'));
    }
    if (!isJsonRpc(msg)) {
      ctx.opts.audit.write(auditRecord(now, { ...auditAs, status: 'malformed_json', http: 400, requestBytes: body.length }));
      return sendJson(res, 400, rpcError(null, -32600, 'Invalid Request: one JSON-RPC 2.0 message per POST'));
    }
    const version = header(req, 'mcp-protocol-version');
    if (transport && version !== undefined && !SUPPORTED_PROTOCOL_VERSIONS.includes(version)) {
      return sendJson(res, 400, rpcError(null, -32000, `Bad Request: Unsupported protocol version: ${version}`));
    }
    if (!transport) {
      if (msg.method !== 'initialize') return sendJson(res, 400, rpcError(null, -32000, 'Bad Request: Mcp-Session-Id header is required'));
      // Each session may cost the private side a process (stdio upstreams), so their number is capped.
      if (ctx.core.sessionsOn(tunnel) >= ctx.opts.maxSessionsPerTunnel) {
        ctx.opts.audit.write(auditRecord(now, { ...auditAs, method: 'initialize', status: 'overloaded', http: 429 }));
        return sendJson(res, 429, rpcError((msg.id as RequestId) ?? null, RELAY_ERROR.overloaded, 'tunnel has too many sessions'), { 'Retry-After': String(ctx.opts.retryAfterSec) });
      }
      transport = this.open(grant);
    } else if (msg.method === 'initialize') {
      return sendJson(res, 400, rpcError(null, -32600, 'Invalid Request: Server already initialized'));
    }
    const sid = transport.sid;
    const admit = ctx.core.admit(sid, msg, Buffer.byteLength(body), now);
    if (admit.kind !== 'ok') {
      ctx.opts.audit.write(admit.audit);
      const id = (msg.id as RequestId | undefined) ?? null;
      if (admit.kind === 'duplicate') return sendJson(res, 400, rpcError(id, -32600, 'Invalid Request: this id is already in flight in this session'));
      if (admit.kind === 'overloaded') {
        return sendJson(res, 429, rpcError(id, RELAY_ERROR.overloaded, 'tunnel is at capacity'), { 'Retry-After': String(ctx.opts.retryAfterSec) });
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

function header(req: IncomingMessage, name: string): string | undefined {
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
    req.on('end', () => resolve(over ? undefined : Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
