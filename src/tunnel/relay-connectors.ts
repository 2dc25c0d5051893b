/**
 * The connector side of the relay: WebSocket at `/connect?tunnel=ID`. A connector authenticates
 * during the upgrade (bearer JWT with `tunnel:connect` for that tunnel) and sends its X25519 key
 * share in a header; refused upgrades get a plain status with one audit line. The checks run token
 * first, so a stranger learns nothing of which tunnels exist: any id of the right syntax gets the
 * same 401 without a token. Then: the tunnel must be served (404), and free — the connector that
 * holds a tunnel keeps it until it goes away, and any other gets 409 and retries (RelayCore
 * `connectorUp`: no takeover, no flapping).
 *
 * On accept the relay derives the connection's signing key (relay/signing.ts) and sends `welcome`
 * with its own share and salt, never the key; every frame it forwards is signed with that key.
 * Every frame from the connector is checked against the connector's own tunnel. The connection ends
 * when its token expires without an `auth` frame renewing it (the renewal must name the same
 * subject), when it stays silent for two heartbeat intervals, or after `maxBadFrames` frames it
 * could not parse or had no right to send.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket, type RawData } from 'ws';
import { authorize, bearerToken, wwwAuthenticate } from '../relay/auth.js';
import { auditRecord, type AuditRecord, type AuditStatus } from '../relay/audit.js';
import { credentialSecret } from '../relay/credentials.js';
import { parseConnectorFrame, type RelayFrame } from '../relay/frames.js';
import type { RequestId } from '../relay/jsonrpc.js';
import type { Grant } from '../relay/scopes.js';
import { deriveSigningKey, signFrame } from '../relay/signing.js';
import { isTunnelId } from '../relay/tunnel-id.js';
import { FrameBatcher, splitFrames } from './frame-batch.js';
import { KEY_SHARE_HEADER, newKeyShare, sharedSecret } from './key-agreement.js';
import { header } from './relay-agents.js';
import type { RelayContext } from './relay-options.js';

interface Link {
  ws: WebSocket;
  out: FrameBatcher;
  tunnel: string;
  subject: string;
  key: Uint8Array;
  /** Nonces are this link's random prefix and a counter: unique on the link, which is all the connector's replay memory needs. */
  noncePrefix: string;
  nonces: number;
  alive: boolean;
  badFrames: number;
  expiry: NodeJS.Timeout | undefined;
}

export class ConnectorHub {
  private readonly wss: WebSocketServer;
  private readonly links = new Map<string, Link>();
  private readonly heartbeat: NodeJS.Timeout;

  constructor(private readonly ctx: RelayContext) {
    // No permessage-deflate: frames are small JSON on a hop where CPU, not bandwidth, is the cost.
    this.wss = new WebSocketServer({ noServer: true, maxPayload: ctx.opts.maxFrameBytes, perMessageDeflate: false });
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
    const valid = isTunnelId(tunnel);
    const refuse = (status: number, text: string, audit: AuditStatus, who: Partial<AuditRecord> = {}, headers: Record<string, string> = {}) => {
      this.audit(now, { tunnel: valid ? tunnel : null, ...who, status: audit, http: status });
      const lines = [`HTTP/1.1 ${status} ${text}`, 'Connection: close', 'Content-Length: 0', ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`)];
      socket.end(`${lines.join('\r\n')}\r\n\r\n`);
    };
    if (ctx.draining) return refuse(503, 'Service Unavailable', 'draining');
    if (!valid) return refuse(400, 'Bad Request', 'bad_tunnel_id');
    const d = await authorize(bearerToken(header(req, 'authorization')), ctx.opts.key, ctx.opts.auth, { tunnel, role: 'connect' }, now);
    if (d.kind === 'denied') {
      const www = wwwAuthenticate(d, `${ctx.baseUrl()}/.well-known/oauth-protected-resource/t/${encodeURIComponent(tunnel)}/mcp`);
      return refuse(d.status, d.status === 401 ? 'Unauthorized' : 'Forbidden', d.reason, {}, { 'WWW-Authenticate': www });
    }
    const who = { subject: d.grant.subject };
    if (!ctx.core.accepts(tunnel)) return refuse(404, 'Not Found', 'unknown_tunnel', who);
    const share = newKeyShare();
    const shared = sharedSecret(share.privateKey, header(req, KEY_SHARE_HEADER) ?? '');
    if (!shared) return refuse(400, 'Bad Request', 'invalid_request', who);
    if (ctx.core.state(tunnel) === 'online') return refuse(409, 'Conflict', 'tunnel_taken', who, { 'Retry-After': String(ctx.opts.retryAfterSec) });
    this.wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws, d.grant, share.share, shared));
  }

  send(tunnel: string, frame: RelayFrame): void {
    const l = this.links.get(tunnel);
    if (l && l.ws.readyState === l.ws.OPEN) l.out.push(JSON.stringify(frame));
  }

  /**
   * Signs and sends one JSON-RPC message to the tunnel's connector. The nonce needs to be unique,
   * not secret (the MAC covers it), so a counter does instead of a `randomBytes` call per frame.
   */
  forward(tunnel: string, sid: string, id: RequestId | null, body: string): void {
    const l = this.links.get(tunnel);
    if (!l || l.ws.readyState !== l.ws.OPEN) return;
    const ts = Date.now();
    const nonce = l.noncePrefix + (l.nonces++).toString(36);
    l.out.push(JSON.stringify({ t: 'msg', sid, ts, nonce, sig: signFrame(l.key, { tunnel, sid, id }, ts, nonce, body), body } satisfies RelayFrame));
  }

  /** The tunnel's connector sent a frame it had no right to send (the core said so). */
  strike(tunnel: string): void {
    const l = this.links.get(tunnel);
    if (l && ++l.badFrames >= this.ctx.opts.maxBadFrames) this.drop(l, 1008, 'too many bad frames');
  }

  closeAll(code = 1001, reason = 'relay shutting down'): void {
    clearInterval(this.heartbeat);
    for (const l of [...this.links.values()]) l.ws.close(code, reason);
    this.wss.close();
  }

  private audit(now: number, r: Partial<AuditRecord> & Pick<AuditRecord, 'status'>): void {
    this.ctx.opts.audit.write(auditRecord(now, { kind: 'connector', ...r }));
  }

  private accept(ws: WebSocket, grant: Grant, share: string, shared: Uint8Array): void {
    const { ctx } = this;
    const tunnel = grant.tunnel;
    // Another connector may have taken the tunnel while this upgrade completed.
    if (!ctx.core.connectorUp(tunnel)) {
      this.audit(Date.now(), { tunnel, subject: grant.subject, method: 'connect', status: 'tunnel_taken', http: 409 });
      return void ws.close(4009, 'tunnel is held by another connector');
    }
    // A token minted from a connector credential names it: the credential's secret keys signing too.
    const credential = grant.credentialExpiresAtSec !== undefined && ctx.opts.mintSecret !== undefined;
    const credentialKey = credential
      ? credentialSecret(ctx.opts.mintSecret as Uint8Array, { tunnel, subject: grant.subject, expiresAtSec: grant.credentialExpiresAtSec as number })
      : undefined;
    const salt = randomBytes(16);
    const key = deriveSigningKey({ shared, credentialSecret: credentialKey, salt, tunnel });
    // The connector accepts messages up to 64 MiB; batches stay well under that.
    const link: Link = { ws, out: new FrameBatcher(ws, 8 << 20), tunnel, subject: grant.subject, key, noncePrefix: randomBytes(9).toString('base64url'), nonces: 0, alive: true, badFrames: 0, expiry: undefined };
    this.links.set(tunnel, link);
    this.armExpiry(link, grant.expiresAt);
    ctx.opts.observer?.connector?.(tunnel, true);
    this.audit(Date.now(), { tunnel, subject: grant.subject, method: 'connect', status: 'ok', http: 101 });
    ws.on('pong', () => (link.alive = true));
    ws.on('message', (data, isBinary) => this.onMessage(link, data, isBinary));
    ws.on('close', () => this.drop(link));
    ws.on('error', () => this.drop(link));
    const welcome: RelayFrame = { t: 'welcome', tunnel, share, salt: salt.toString('base64url'), credential, maxFrameBytes: ctx.opts.maxFrameBytes };
    ws.send(JSON.stringify(welcome));
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
        this.audit(now, { tunnel: link.tunnel, subject: link.subject, status: p.reason, http: null });
        this.drop(link, 1008, 'too many malformed frames');
      }
      return;
    }
    const f = p.frame;
    switch (f.t) {
      case 'msg':
        return ctx.run(ctx.core.fromConnector(link.tunnel, f.sid, f.body, now, f.rel));
      case 'reject':
        return ctx.run(ctx.core.rejectedByConnector(link.tunnel, f.sid, f.id, f.reason, now));
      case 'too_large':
        return ctx.run(ctx.core.tooLarge(link.tunnel, f.sid, f.id, f.bytes, now));
      case 'closed':
        return ctx.run(ctx.core.connectorClosed(link.tunnel, f.sid, now));
      case 'auth':
        void this.reauth(link, f.token);
        return;
      case 'catalog':
        return ctx.core.learnCatalog(link.tunnel, f.tools);
    }
  }

  private async reauth(link: Link, token: string): Promise<void> {
    const now = Date.now();
    const d = await authorize(token, this.ctx.opts.key, this.ctx.opts.auth, { tunnel: link.tunnel, role: 'connect' }, now);
    const who = { tunnel: link.tunnel, subject: link.subject, method: 'auth' };
    if (d.kind === 'denied') {
      this.audit(now, { ...who, status: d.reason, http: d.status });
      return this.drop(link, 4001, `re-authentication failed: ${d.reason}`);
    }
    // A renewal keeps the connection's identity: a token of another subject would take the link over.
    if (d.grant.subject !== link.subject) {
      this.audit(now, { ...who, status: 'subject_changed', http: 403 });
      return this.drop(link, 4001, 're-authentication failed: subject_changed');
    }
    this.armExpiry(link, d.grant.expiresAt);
    this.audit(now, { ...who, status: 'ok', http: 200 });
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
