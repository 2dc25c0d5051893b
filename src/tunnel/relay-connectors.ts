/**
 * The connector side of the relay: WebSocket at `/connect?tunnel=ID`. A connector authenticates
 * during the upgrade (bearer JWT with `tunnel:connect` for that tunnel; refused upgrades get a
 * plain 401/403 with `WWW-Authenticate`), receives a fresh random signing key in `welcome`, and from
 * then on every frame the relay forwards is signed with it. A newer connector for the same tunnel
 * replaces the older one. The connection ends when its token expires without an `auth` frame
 * renewing it, when it stays silent for two heartbeat intervals, or after `maxBadFrames` frames it
 * could not parse.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket, type RawData } from 'ws';
import { authorize, bearerToken, wwwAuthenticate } from '../relay/auth.js';
import { auditRecord } from '../relay/audit.js';
import { parseConnectorFrame, type RelayFrame } from '../relay/frames.js';
import { signBody } from '../relay/signing.js';
import { FrameBatcher, splitFrames } from './frame-batch.js';
import type { RelayContext } from './relay-options.js';

const TUNNEL_ID = /^[A-Za-z0-9._-]{1,128}$/;

interface Link {
  ws: WebSocket;
  out: FrameBatcher;
  tunnel: string;
  subject: string;
  key: Uint8Array;
  alive: boolean;
  badFrames: number;
  expiry: NodeJS.Timeout | undefined;
}

export class ConnectorHub {
  private readonly wss: WebSocketServer;
  private readonly links = new Map<string, Link>();
  private readonly heartbeat: NodeJS.Timeout;

  constructor(private readonly ctx: RelayContext) {
    this.wss = new WebSocketServer({ noServer: true, maxPayload: ctx.opts.maxFrameBytes });
    this.heartbeat = setInterval(() => this.beat(), ctx.opts.heartbeatMs);
    this.heartbeat.unref();
  }

  get size(): number {
    return this.links.size;
  }

  async upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const { ctx } = this;
    const now = Date.now();
    const tunnel = new URL(req.url ?? '/', 'http://relay').searchParams.get('tunnel') ?? '';
    const refuse = (status: number, text: string, headers: Record<string, string> = {}) => {
      const lines = [`HTTP/1.1 ${status} ${text}`, 'Connection: close', 'Content-Length: 0', ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`)];
      socket.end(`${lines.join('\r\n')}\r\n\r\n`);
    };
    if (ctx.draining) return refuse(503, 'Service Unavailable');
    if (!TUNNEL_ID.test(tunnel) || !ctx.core.accepts(tunnel)) {
      ctx.opts.audit.write(auditRecord(now, { kind: 'connector', tunnel: tunnel || null, status: 'unknown_tunnel', http: 404 }));
      return refuse(404, 'Not Found');
    }
    const d = await authorize(bearerToken(req.headers.authorization), ctx.opts.key, ctx.opts.auth, { tunnel, role: 'connect' }, now);
    if (d.kind === 'denied') {
      ctx.opts.audit.write(auditRecord(now, { kind: 'connector', tunnel, status: d.reason, http: d.status }));
      const www = wwwAuthenticate(d, `${ctx.baseUrl()}/.well-known/oauth-protected-resource/t/${encodeURIComponent(tunnel)}/mcp`);
      return refuse(d.status, d.status === 401 ? 'Unauthorized' : 'Forbidden', { 'WWW-Authenticate': www });
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws, tunnel, d.grant.subject, d.grant.expiresAt));
  }

  send(tunnel: string, frame: RelayFrame): void {
    const l = this.links.get(tunnel);
    if (l && l.ws.readyState === l.ws.OPEN) l.out.push(JSON.stringify(frame));
  }

  /** Signs and sends one JSON-RPC message to the tunnel's connector. */
  forward(tunnel: string, sid: string, body: string, nonce: string): void {
    const l = this.links.get(tunnel);
    if (!l || l.ws.readyState !== l.ws.OPEN) return;
    const ts = Date.now();
    l.out.push(JSON.stringify({ t: 'msg', sid, ts, nonce, sig: signBody(l.key, ts, nonce, body), body } satisfies RelayFrame));
  }

  closeAll(code = 1001, reason = 'relay shutting down'): void {
    clearInterval(this.heartbeat);
    for (const l of [...this.links.values()]) l.ws.close(code, reason);
    this.wss.close();
  }

  private accept(ws: WebSocket, tunnel: string, subject: string, expiresAt: number): void {
    const { ctx } = this;
    const old = this.links.get(tunnel);
    if (old) this.drop(old, 4000, 'replaced by a newer connector');
    // The connector accepts messages up to 64 MiB; batches stay well under that.
    const link: Link = { ws, out: new FrameBatcher(ws, 8 << 20), tunnel, subject, key: randomBytes(32), alive: true, badFrames: 0, expiry: undefined };
    this.links.set(tunnel, link);
    this.armExpiry(link, expiresAt);
    ctx.core.connectorUp(tunnel);
    ctx.opts.observer?.connector?.(tunnel, true);
    ctx.opts.audit.write(auditRecord(Date.now(), { kind: 'connector', tunnel, subject, method: 'connect', status: 'ok', http: 101 }));
    ws.on('pong', () => (link.alive = true));
    ws.on('message', (data, isBinary) => this.onMessage(link, data, isBinary));
    ws.on('close', () => this.drop(link));
    ws.on('error', () => this.drop(link));
    ws.send(JSON.stringify({ t: 'welcome', tunnel, key: Buffer.from(link.key).toString('base64url'), maxFrameBytes: ctx.opts.maxFrameBytes } satisfies RelayFrame));
  }

  private onMessage(link: Link, data: RawData, isBinary: boolean): void {
    link.alive = true;
    for (const text of splitFrames(isBinary ? '' : data.toString())) {
      if (this.links.get(link.tunnel) !== link) return; // dropped by an earlier frame of this message
      this.onFrame(link, text);
    }
  }

  private onFrame(link: Link, text: string): void {
    const { ctx } = this;
    const p = parseConnectorFrame(text, ctx.opts.maxFrameBytes);
    const now = Date.now();
    if (p.kind === 'bad') {
      // Count, do not log each one: a flood of garbage must not become a flood of audit lines.
      if (++link.badFrames >= ctx.opts.maxBadFrames) {
        ctx.opts.audit.write(auditRecord(now, { kind: 'connector', tunnel: link.tunnel, subject: link.subject, status: p.reason, http: null }));
        this.drop(link, 1008, 'too many malformed frames');
      }
      return;
    }
    const f = p.frame;
    switch (f.t) {
      case 'msg':
        return ctx.run(ctx.core.fromConnector(link.tunnel, f.sid, f.body, now));
      case 'reject':
        return ctx.run(ctx.core.rejectedByConnector(link.tunnel, f.sid, f.id, f.reason, now));
      case 'closed':
        return ctx.run(ctx.core.closeSession(f.sid, now));
      case 'auth':
        void this.reauth(link, f.token);
        return;
      case 'catalog':
        return ctx.core.learnCatalog(link.tunnel, f.tools);
    }
  }

  private async reauth(link: Link, token: string): Promise<void> {
    const d = await authorize(token, this.ctx.opts.key, this.ctx.opts.auth, { tunnel: link.tunnel, role: 'connect' }, Date.now());
    if (d.kind === 'denied') {
      this.ctx.opts.audit.write(auditRecord(Date.now(), { kind: 'connector', tunnel: link.tunnel, subject: link.subject, method: 'auth', status: d.reason, http: d.status }));
      return this.drop(link, 4001, `re-authentication failed: ${d.reason}`);
    }
    this.armExpiry(link, d.grant.expiresAt);
    link.out.push(JSON.stringify({ t: 'reauthed', expiresAt: d.grant.expiresAt } satisfies RelayFrame));
  }

  private armExpiry(link: Link, expiresAt: number): void {
    if (link.expiry) clearTimeout(link.expiry);
    const tolerance = (this.ctx.opts.auth.clockToleranceSec ?? 5) * 1000;
    // setTimeout's limit is 2^31-1 ms; a token valid for longer is re-checked then.
    const wait = Math.min(Math.max(0, expiresAt + tolerance - Date.now()), 2 ** 31 - 1);
    link.expiry = setTimeout(() => this.drop(link, 4001, 'token expired'), wait);
    link.expiry.unref();
  }

  private beat(): void {
    for (const l of this.links.values()) {
      if (!l.alive) {
        l.ws.terminate();
        this.drop(l);
        continue;
      }
      l.alive = false;
      l.ws.ping();
    }
  }

  /** The connector is gone (or being sent away): fail its requests at once. */
  private drop(link: Link, code?: number, reason?: string): void {
    if (link.expiry) clearTimeout(link.expiry);
    if (code !== undefined && link.ws.readyState === link.ws.OPEN) link.ws.close(code, reason);
    if (this.links.get(link.tunnel) !== link) return;
    this.links.delete(link.tunnel);
    this.ctx.opts.observer?.connector?.(link.tunnel, false);
    this.ctx.run(this.ctx.core.connectorDown(link.tunnel, Date.now()));
  }
}
