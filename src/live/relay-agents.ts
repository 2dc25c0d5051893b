/**
 * The agent side of the relay: MCP Streamable HTTP at `/t/{id}/mcp`. Each agent session gets its own
 * SDK `StreamableHTTPServerTransport`, used as a plain pipe (no `Server` behind it): it speaks the
 * HTTP half of the spec (SSE or JSON answers, GET stream, DELETE, session and protocol-version
 * headers) while the relay core decides what crosses the tunnel. Because every session owns its
 * transport, a message the core delivers to a session cannot reach any other.
 *
 * Everything that needs a status the transport would not choose (401/403/404/413/429/503) is
 * answered here, before the transport sees the request.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { SUPPORTED_PROTOCOL_VERSIONS } from '@modelcontextprotocol/sdk/types.js';
import { bearerToken, wwwAuthenticate, type AuthDecision } from '../relay/auth.js';
import { auditRecord, type AuditStatus } from '../relay/audit.js';
import { RELAY_ERROR, rpcError, type Message, type RequestId } from '../relay/core.js';
import type { Grant } from '../relay/scopes.js';
import type { RelayContext } from './relay-options.js';

export class AgentSessions {
  private readonly transports = new Map<string, StreamableHTTPServerTransport>();

  constructor(private readonly ctx: RelayContext) {}

  get size(): number {
    return this.transports.size;
  }

  deliver(sid: string, message: Message, relatedRequestId?: RequestId): void {
    // A stream that went away (client disconnected) is the client's loss, not the relay's error.
    this.transports.get(sid)?.send(message as never, { relatedRequestId }).catch(() => undefined);
  }

  end(sid: string): void {
    const t = this.transports.get(sid);
    if (!t) return;
    this.transports.delete(sid);
    // Let the responses just written flush before the streams close.
    setImmediate(() => void t.close().catch(() => undefined));
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
    const state = ctx.core.state(tunnel);
    if (state === 'unknown') return fail(404, 'unknown_tunnel', -32000, 'unknown tunnel');
    const decision = await ctx.authorizer.authorize(bearerToken(header(req, 'authorization')), { tunnel, role: 'use' }, now);
    if (decision.kind === 'denied') {
      const www = wwwAuthenticate(decision, `${ctx.baseUrl()}/.well-known/oauth-protected-resource/t/${encodeURIComponent(tunnel)}/mcp`);
      return fail(decision.status, decision.reason, -32001, describe(decision), { 'WWW-Authenticate': www });
    }
    const grant = decision.grant;
    const auditAs = { ...base, subject: grant.subject };
    if (state === 'offline') {
      ctx.opts.audit.write(auditRecord(now, { ...auditAs, status: 'tunnel_offline', http: 503 }));
      return sendJson(res, 503, rpcError(null, -32000, 'tunnel connector is offline'), { 'Retry-After': String(ctx.opts.retryAfterSec) });
    }
    let transport: StreamableHTTPServerTransport | undefined;
    if (sidHeader !== undefined) {
      const owner = ctx.core.session(sidHeader);
      transport = this.transports.get(sidHeader);
      // A session id is only good on its own tunnel and for the subject that opened it.
      if (!owner || !transport || owner.tunnel !== tunnel || owner.subject !== grant.subject) {
        ctx.opts.audit.write(auditRecord(now, { ...auditAs, status: 'unknown_session', http: 404 }));
        return sendJson(res, 404, rpcError(null, -32001, 'Session not found'));
      }
    }
    if (req.method === 'GET' || req.method === 'DELETE') {
      if (!transport) return sendJson(res, 400, rpcError(null, -32000, 'Bad Request: Mcp-Session-Id header is required'));
      return transport.handleRequest(req, res);
    }
    if (req.method !== 'POST') return sendJson(res, 405, rpcError(null, -32000, 'Method not allowed'), { Allow: 'GET, POST, DELETE' });

    const body = await readBody(req, ctx.opts.maxFrameBytes);
    if (body === undefined) {
      ctx.opts.audit.write(auditRecord(now, { ...auditAs, status: 'oversized', http: 413 }));
      return sendJson(res, 413, rpcError(null, -32000, `request body exceeds ${ctx.opts.maxFrameBytes} bytes`), { Connection: 'close' });
    }
    let msg: Message;
    try {
      msg = JSON.parse(body) as Message;
      if (msg === null || typeof msg !== 'object' || Array.isArray(msg)) throw new Error('not one message');
    } catch {
      ctx.opts.audit.write(auditRecord(now, { ...auditAs, status: 'malformed_json', http: 400, requestBytes: body.length }));
      return sendJson(res, 400, rpcError(null, -32700, 'Parse error: one JSON-RPC message per request'));
    }
    const version = header(req, 'mcp-protocol-version');
    if (transport && version !== undefined && !SUPPORTED_PROTOCOL_VERSIONS.includes(version)) {
      return sendJson(res, 400, rpcError(null, -32000, `Bad Request: Unsupported protocol version: ${version}`));
    }
    let sid = sidHeader;
    if (!transport || sid === undefined) {
      if (msg.method !== 'initialize') return sendJson(res, 400, rpcError(null, -32000, 'Bad Request: Mcp-Session-Id header is required'));
      [transport, sid] = this.open(grant);
    }
    const admit = ctx.core.admit(sid, msg, Buffer.byteLength(body), now);
    if (admit.kind !== 'ok') {
      ctx.opts.audit.write(admit.audit);
      const id = (msg.id as RequestId | undefined) ?? null;
      if (admit.kind === 'overloaded') {
        return sendJson(res, 429, rpcError(id, RELAY_ERROR.overloaded, 'tunnel is at capacity'), { 'Retry-After': String(ctx.opts.retryAfterSec) });
      }
      const www = `Bearer error="insufficient_scope", error_description="${admit.reason}", scope="tool:${admit.audit.tool ?? ''}"`;
      return sendJson(res, 403, rpcError(id, RELAY_ERROR.forbidden, `tool not allowed by token scope: ${admit.audit.tool}`), { 'WWW-Authenticate': www });
    }
    await transport.handleRequest(req, res, msg);
  }

  private open(grant: Grant): [StreamableHTTPServerTransport, string] {
    const sid = randomUUID();
    const t = new StreamableHTTPServerTransport({ sessionIdGenerator: () => sid, enableJsonResponse: this.ctx.opts.jsonResponse });
    this.transports.set(sid, t);
    t.onmessage = (m) => this.ctx.run(this.ctx.core.fromAgent(sid, m as Message, JSON.stringify(m), Date.now()));
    t.onclose = () => {
      if (this.transports.get(sid) === t) this.transports.delete(sid);
      this.ctx.run(this.ctx.core.closeSession(sid, Date.now()));
    };
    this.ctx.run(this.ctx.core.openSession(sid, grant));
    return [t, sid];
  }
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
