/**
 * The connector: runs inside the private network, dials **out** to the relay over WebSocket with a
 * bearer JWT, and pipes each agent session to its own upstream transport. Every frame from the relay
 * must pass the `SignatureGuard` (HMAC bound to tunnel, session and id, fresh timestamp, unseen
 * nonce); a frame that fails is refused with a `reject` frame so the agent gets an answer, not a
 * hang. The signing key is derived on each side (X25519 share in the upgrade header and in
 * `welcome`, plus the credential's secret when the connector has one), never sent.
 *
 * Lifecycle: connect → `welcome` → serve; before the token expires, fetch a fresh one from the token
 * source and send `auth` on the same connection, so no session is lost at renewal (with a
 * credential, the source mints one at the relay's `/token`); on any disconnect, close the upstream
 * sessions and reconnect after an exponential backoff with full jitter (reset once welcomed). A
 * relay that answers 409 has the tunnel held by another connector: this one retries the same way,
 * and takes over only once that one is gone.
 */
import { decodeJwt } from 'jose';
import WebSocket from 'ws';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { auditRecord } from '../relay/audit.js';
import { frameFits, parseRelayFrame, type ConnectorFrame, type RelayFrame } from '../relay/frames.js';
import type { RequestId } from '../relay/jsonrpc.js';
import { deriveSigningKey, SignatureGuard } from '../relay/signing.js';
import { DEFAULT_CONNECTOR, type ConnectorOptions } from './connector-options.js';
import { credentialTokenSource, TokenRefused } from './credential-token.js';
import { FrameBatcher, splitFrames } from './frame-batch.js';
import { KEY_SHARE_HEADER, newKeyShare, sharedSecret, type KeyShare } from './key-agreement.js';

export { DEFAULT_CONNECTOR, type ConnectorOptions, type ConnectorState } from './connector-options.js';

/** The relay's limit until `welcome` names it. */
const DEFAULT_FRAME_LIMIT = 1 << 20;

interface Upstream {
  transport: Promise<Transport>;
  /** The transport once started, so a message need not wait a microtask for the promise. */
  ready?: Transport;
}

/** An upstream transport that can send a message's JSON text as is (HttpUpstreamTransport). */
type RawSender = Transport & { sendRaw(message: JSONRPCMessage, text: string): Promise<void> };

function sendsRaw(t: Transport): t is RawSender {
  return typeof (t as Partial<RawSender>).sendRaw === 'function';
}

export class Connector {
  private readonly opts: ConnectorOptions;
  private ws: WebSocket | undefined;
  private share: KeyShare | undefined;
  private guard: SignatureGuard | undefined;
  private out: FrameBatcher | undefined;
  private maxFrameBytes = DEFAULT_FRAME_LIMIT;
  private readonly sessions = new Map<string, Upstream>();
  private attempt = 0;
  private stopped = false;
  private timers = new Set<NodeJS.Timeout>();
  private welcomed: (() => void)[] = [];
  private alive = true;

  constructor(options: Pick<ConnectorOptions, 'relay' | 'tunnel' | 'upstream'> & Partial<ConnectorOptions>) {
    const c = options.credential;
    if (c && c.tunnel !== options.tunnel) throw new RangeError(`the credential is for tunnel ${c.tunnel}, not ${options.tunnel}`);
    const token = options.token ?? (c ? credentialTokenSource(options.relay, c) : undefined);
    if (!token) throw new RangeError('need a token source or a credential');
    this.opts = { ...DEFAULT_CONNECTOR, ...options, token };
    if (!(this.opts.backoffBaseMs > 0 && this.opts.backoffMaxMs >= this.opts.backoffBaseMs)) throw new RangeError('need 0 < backoffBaseMs ≤ backoffMaxMs');
  }

  get connected(): boolean {
    return this.guard !== undefined && this.ws?.readyState === WebSocket.OPEN;
  }

  start(): void {
    this.stopped = false;
    void this.dial();
  }

  /** Resolves once the relay has welcomed this connector (now, if it already has). */
  ready(): Promise<void> {
    return this.connected ? Promise.resolve() : new Promise((r) => this.welcomed.push(r));
  }

  async close(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.ws?.close(1000, 'connector closing');
    await this.closeSessions();
  }

  private later(ms: number, fn: () => void): void {
    const t = setTimeout(() => (this.timers.delete(t), fn()), ms);
    this.timers.add(t);
  }

  private async dial(): Promise<void> {
    if (this.stopped) return;
    let token: string;
    try {
      token = await this.opts.token();
    } catch (err) {
      const delay = this.nextDelay();
      this.opts.onState?.({ kind: 'noToken', reason: (err as Error).message, status: err instanceof TokenRefused ? err.status : undefined, retryInMs: delay });
      return this.later(delay, () => void this.dial());
    }
    if (this.stopped) return;
    const base = this.opts.relay.replace(/^http/, 'ws').replace(/\/+$/, '');
    const share = newKeyShare();
    const ws = new WebSocket(`${base}/connect?tunnel=${encodeURIComponent(this.opts.tunnel)}`, {
      headers: { Authorization: `Bearer ${token}`, [KEY_SHARE_HEADER]: share.share },
      maxPayload: 64 << 20,
      perMessageDeflate: false,
    });
    this.ws = ws;
    this.share = share;
    this.alive = true;
    ws.on('unexpected-response', (_req, res) => {
      const delay = this.nextDelay();
      this.opts.onState?.({ kind: 'refused', status: res.statusCode ?? 0, retryInMs: delay });
      this.ws = undefined; // the retry is scheduled here, not by the close handler
      ws.terminate();
      this.later(delay, () => void this.dial());
    });
    ws.on('message', (data) => {
      for (const text of splitFrames(data.toString())) void this.onFrame(ws, text, token);
    });
    ws.on('pong', () => (this.alive = true));
    ws.on('ping', () => (this.alive = true));
    ws.on('error', () => undefined);
    ws.on('close', (code, reason) => {
      if (this.ws !== ws) return;
      this.guard = undefined;
      void this.closeSessions();
      this.retry({ code, reason: reason.toString() });
    });
    ws.on('open', () => this.heartbeat(ws));
  }

  private heartbeat(ws: WebSocket): void {
    this.later(this.opts.heartbeatMs, () => {
      if (this.ws !== ws || ws.readyState !== WebSocket.OPEN) return;
      if (!this.alive) return ws.terminate();
      this.alive = false;
      ws.ping();
      this.heartbeat(ws);
    });
  }

  private nextDelay(): number {
    const ceiling = Math.min(this.opts.backoffMaxMs, this.opts.backoffBaseMs * 2 ** this.attempt++);
    return Math.random() * ceiling; // full jitter (AWS architecture blog, "Exponential Backoff and Jitter")
  }

  private retry(why: { code: number; reason: string }): void {
    if (this.stopped) return;
    const delay = this.nextDelay();
    this.opts.onState?.({ kind: 'disconnected', ...why, retryInMs: delay });
    this.later(delay, () => void this.dial());
  }

  private send(f: ConnectorFrame): void {
    if (this.ws?.readyState === WebSocket.OPEN) this.out?.push(JSON.stringify(f));
  }

  private async onFrame(ws: WebSocket, text: string, token: string): Promise<void> {
    this.alive = true;
    const p = parseRelayFrame(text, 64 << 20);
    if (p.kind === 'bad') return;
    const f: RelayFrame = p.frame;
    switch (f.t) {
      case 'welcome':
        return this.onWelcome(ws, f, token);
      case 'reauthed':
        this.opts.onState?.({ kind: 'reauthenticated', expiresAt: f.expiresAt });
        return;
      case 'open': {
        const u: Upstream = { transport: this.openUpstream(f.sid) };
        u.transport.then((t) => (u.ready = t), () => undefined);
        this.sessions.set(f.sid, u);
        return;
      }
      case 'close': {
        const u = this.sessions.get(f.sid);
        this.sessions.delete(f.sid);
        if (u) (await u.transport.catch(() => undefined))?.close().catch(() => undefined);
        return;
      }
      case 'msg':
        return this.onMessage(f);
    }
  }

  /** Derives the signing key from the relay's share; a relay that will not bind it to our credential is not trusted. */
  private onWelcome(ws: WebSocket, f: Extract<RelayFrame, { t: 'welcome' }>, token: string): void {
    const credential = this.opts.credential;
    const shared = this.share && sharedSecret(this.share.privateKey, f.share);
    if (!shared || f.tunnel !== this.opts.tunnel || f.credential !== (credential !== undefined)) {
      ws.close(4002, shared ? 'the relay did not bind the signing key to the credential' : 'key agreement failed');
      return;
    }
    const key = deriveSigningKey({ shared, credentialSecret: credential?.secret, salt: Buffer.from(f.salt, 'base64url'), tunnel: this.opts.tunnel });
    // Batches must fit the relay's frame limit, which applies to whole WebSocket messages.
    this.maxFrameBytes = f.maxFrameBytes;
    this.out = new FrameBatcher(ws, f.maxFrameBytes);
    this.guard = new SignatureGuard(key, this.opts.signing);
    this.attempt = 0;
    this.scheduleReauth(ws, token);
    this.opts.onState?.({ kind: 'connected', tunnel: f.tunnel });
    for (const r of this.welcomed.splice(0)) r();
    void this.sendCatalog();
  }

  private async onMessage(f: Extract<RelayFrame, { t: 'msg' }>): Promise<void> {
    if (!this.guard) return;
    let msg: JSONRPCMessage | undefined;
    try {
      msg = JSON.parse(f.body) as JSONRPCMessage;
    } catch {
      msg = undefined;
    }
    const id = msg && 'id' in msg && (typeof msg.id === 'string' || typeof msg.id === 'number') ? msg.id : null;
    const check = this.guard.check(f, { tunnel: this.opts.tunnel, sid: f.sid, id }, f.body, Date.now());
    if (check.kind === 'rejected') {
      this.opts.audit?.write(
        auditRecord(Date.now(), { kind: 'connector', tunnel: this.opts.tunnel, session: f.sid, method: method(msg), requestId: id, status: check.reason }),
      );
      return this.send({ t: 'reject', sid: f.sid, id, reason: check.reason });
    }
    const u = this.sessions.get(f.sid);
    if (!u || !msg) return;
    const t = u.ready ?? (await u.transport.catch(() => undefined));
    if (!t) return;
    // The body's bytes were just verified; an upstream that takes them as they are is not handed a re-serialisation.
    await (sendsRaw(t) ? t.sendRaw(msg, f.body) : t.send(msg)).catch(() => undefined);
  }

  private async openUpstream(sid: string): Promise<Transport> {
    const t = await this.opts.upstream();
    t.onmessage = (m, extra) => {
      // The negotiated protocol version rides on the initialize result; HTTP upstreams need it in
      // a header on every later request, as the SDK `Client` would have told its transport.
      const v = (m as { result?: { protocolVersion?: unknown } }).result?.protocolVersion;
      const setter = (t as { setProtocolVersion?: (v: string) => void }).setProtocolVersion;
      if (typeof v === 'string' && setter) setter.call(t, v);
      const x = extra as { relatedRequestId?: RequestId; raw?: string } | undefined;
      this.fromUpstream(sid, t, m, x?.relatedRequestId, x?.raw);
    };
    t.onclose = () => {
      if (this.sessions.delete(sid)) this.send({ t: 'closed', sid });
    };
    t.onerror = () => undefined;
    await t.start();
    return t;
  }

  /**
   * One message from an upstream to the relay. A message too large for the relay's frame limit
   * would make the relay drop this connection, and with it every session of the tunnel; instead
   * only its own request fails: an answer becomes `too_large` (the agent gets a JSON-RPC error), a
   * request from the upstream gets an error back, a notification is dropped.
   */
  private fromUpstream(sid: string, t: Transport, m: JSONRPCMessage, rel: RequestId | undefined, raw?: string): void {
    // The upstream's own text when its transport kept it (the relay parses and checks it either way).
    const body = raw ?? JSON.stringify(m);
    const frame = JSON.stringify(rel === undefined ? { t: 'msg', sid, body } : { t: 'msg', sid, body, rel });
    if (frameFits(frame, this.maxFrameBytes)) {
      if (this.ws?.readyState === WebSocket.OPEN) this.out?.push(frame);
      return;
    }
    const bytes = Buffer.byteLength(body);
    const id = 'id' in m && (typeof m.id === 'string' || typeof m.id === 'number') ? m.id : undefined;
    this.opts.audit?.write(
      auditRecord(Date.now(), { kind: 'connector', tunnel: this.opts.tunnel, session: sid, method: method(m), requestId: id ?? null, status: 'result_too_large', responseBytes: bytes }),
    );
    if (id === undefined) return;
    if ('method' in m) {
      const error = { code: -32603, message: `request too large for the tunnel: ${bytes} bytes, the frame limit is ${this.maxFrameBytes} bytes` };
      void t.send({ jsonrpc: '2.0', id, error } as JSONRPCMessage).catch(() => undefined);
      return;
    }
    this.send({ t: 'too_large', sid, id, bytes });
  }

  /**
   * Lists the upstream's tools over a session of the connector's own and tells the relay which are
   * read-only, so read-only tokens can call them before any agent has listed tools. Best effort: an
   * upstream that cannot be listed leaves the relay to learn from agents' `tools/list` answers.
   */
  private async sendCatalog(): Promise<void> {
    const client = new Client({ name: 'tunnelsim-connector', version: '1.0.0' });
    try {
      await client.connect(await this.opts.upstream());
      const tools: { name: string; readOnly: boolean }[] = [];
      let cursor: string | undefined;
      do {
        const page = await client.listTools(cursor === undefined ? undefined : { cursor });
        for (const t of page.tools) tools.push({ name: t.name, readOnly: t.annotations?.readOnlyHint === true });
        cursor = page.nextCursor;
      } while (cursor !== undefined && tools.length < 10_000);
      this.send({ t: 'catalog', tools });
    } catch {
      // Not fatal; see above.
    } finally {
      await client.close().catch(() => undefined);
    }
  }

  /** Renews `reauthBeforeMs` before expiry, or halfway through a short-lived token (a 30 s token renews every 15 s). */
  private scheduleReauth(ws: WebSocket, token: string): void {
    let exp: number | undefined;
    try {
      exp = decodeJwt(token).exp;
    } catch {
      return;
    }
    if (exp === undefined) return;
    const left = exp * 1000 - Date.now();
    this.later(Math.max(0, left - Math.min(this.opts.reauthBeforeMs, left / 2)), () => void this.reauth(ws, token, exp));
  }

  private async reauth(ws: WebSocket, token: string, exp: number): Promise<void> {
    if (this.ws !== ws || this.stopped) return;
    const fresh = await Promise.resolve(this.opts.token()).catch(() => undefined);
    if (this.ws !== ws || this.stopped) return;
    if (fresh === undefined || fresh === token) {
      // Nothing new yet (the relay's /token unreachable, a token file not yet rotated): try again
      // while the token lives; at expiry the relay ends the connection and the connector redials.
      const left = exp * 1000 - Date.now();
      if (left > 1000) this.later(Math.min(5000, left / 4), () => void this.reauth(ws, token, exp));
      return;
    }
    this.send({ t: 'auth', token: fresh });
    this.scheduleReauth(ws, fresh);
  }

  private async closeSessions(): Promise<void> {
    const all = [...this.sessions.values()];
    this.sessions.clear();
    await Promise.all(all.map(async (u) => (await u.transport.catch(() => undefined))?.close().catch(() => undefined)));
  }
}

function method(m: JSONRPCMessage | undefined): string | null {
  return m && 'method' in m ? m.method : null;
}
