/**
 * The live relay: one HTTP server carrying connectors (WebSocket, `/connect`), agents (MCP
 * Streamable HTTP, `/t/{id}/mcp`), the token endpoint (`/token`), protected-resource metadata
 * (RFC 9728) and `/healthz`. All decisions come from the sans-IO `RelayCore` and the rules in
 * `src/relay/`; this file owns the sockets, the wall clock, and the order of shutdown. Every request
 * but `/healthz` and the metadata documents leaves one audit line, refusals included — down to a
 * request the HTTP parser could not read.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { tunnelAudience } from '../relay/auth.js';
import { auditRecord, type AuditStatus } from '../relay/audit.js';
import { RelayCore, type Output } from '../relay/core.js';
import { CachedAuthorizer } from '../relay/auth-cache.js';
import { allowedOrigins, originAllowed } from '../relay/origin.js';
import { SCOPE_USE, SCOPE_READ_ONLY } from '../relay/scopes.js';
import { isTunnelId } from '../relay/tunnel-id.js';
import { TunnelsimError } from '../errors.js';
import { AgentSessions, header, sendJson } from './relay-agents.js';
import { ConnectorHub } from './relay-connectors.js';
import { DEFAULT_RELAY_SERVER, type RelayContext, type RelayServerOptions } from './relay-options.js';
import { stderrAuditSink } from './audit-file.js';
import { TokenEndpoint } from './token-exchange.js';
import { observedAudit } from './observer.js';

// The id is checked by `isTunnelId` after the match, so a malformed one is refused and audited
// rather than falling through to "unknown path". The raw path is matched: URL normalisation would
// turn `/t/../mcp` into `/mcp`.
const TUNNEL_PATH = /^\/t\/([^/]*)\/mcp\/?$/;
const METADATA_PATH = /^\/\.well-known\/oauth-protected-resource\/t\/([^/]*)\/mcp\/?$/;

export class RelayServer implements RelayContext {
  readonly opts: RelayServerOptions;
  readonly core: RelayCore;
  readonly authorizer: CachedAuthorizer;
  private readonly http: Server;
  private readonly agents: AgentSessions;
  private readonly connectors: ConnectorHub;
  private readonly tokens: TokenEndpoint;
  private readonly origins: ReadonlySet<string>;
  private drainingFlag = false;
  private readonly keepAlive: NodeJS.Timeout;
  private readonly deadlines: NodeJS.Timeout;
  /** Sockets with a request in the handler, which audits their fate itself. */
  private readonly serving = new WeakSet<object>();

  private constructor(options: Partial<RelayServerOptions> & Pick<RelayServerOptions, 'key'>) {
    const opts = { ...DEFAULT_RELAY_SERVER, audit: stderrAuditSink, ...options };
    this.opts = { ...opts, audit: observedAudit(opts.audit, opts.observer) };
    const o = this.opts;
    if (!(Number.isInteger(o.port) && o.port >= 0 && o.port <= 65535)) throw new RangeError('port must be an integer 0–65535');
    if (!(o.maxFrameBytes >= 1024)) throw new RangeError('maxFrameBytes must be ≥ 1024');
    if (!(o.heartbeatMs >= 10)) throw new RangeError('heartbeatMs must be ≥ 10');
    if (!(o.connectTokenTtlSec >= 1)) throw new RangeError('connectTokenTtlSec must be ≥ 1');
    for (const id of o.tunnels ?? []) if (!isTunnelId(id)) throw new RangeError(`not a tunnel id: ${id}`);
    this.origins = allowedOrigins(o.auth.publicUrl, o.allowedOrigins);
    this.core = new RelayCore({
      maxInFlight: o.maxInFlightPerTunnel,
      queue: o.queue,
      tunnels: o.tunnels,
      maxSessionsPerTunnel: o.maxSessionsPerTunnel,
      maxSessionsPerSubject: o.maxSessionsPerSubject,
      maxRequestsPerSubject: o.maxRequestsPerSubject,
      requestTimeoutMs: o.requestTimeoutMs,
      maxFrameBytes: o.maxFrameBytes,
      shedding: o.shedding,
    });
    this.authorizer = new CachedAuthorizer(o.key, o.auth);
    this.agents = new AgentSessions(this);
    this.connectors = new ConnectorHub(this);
    this.tokens = new TokenEndpoint(this);
    this.keepAlive = setInterval(() => this.agents.beat(Date.now()), o.heartbeatMs);
    this.keepAlive.unref();
    // Deadlines are checked a few times per timeout, at most once a second.
    this.deadlines = setInterval(() => this.run(this.core.expireDeadlines(Date.now())), Math.min(1000, Math.max(10, o.requestTimeoutMs / 4)));
    this.deadlines.unref();
    this.http = createServer((req, res) => {
      this.serving.add(req.socket);
      res.once('close', () => this.serving.delete(req.socket));
      void this.route(req, res).catch(() => this.failed(req, res));
    });
    this.http.on('upgrade', (req, socket, head) => this.upgrade(req, socket, head));
    this.http.on('clientError', (err: NodeJS.ErrnoException, socket) => this.clientError(err, socket));
  }

  /** Starts listening; a port in use is a runtime error (exit 3). */
  static async start(options: Partial<RelayServerOptions> & Pick<RelayServerOptions, 'key'>): Promise<RelayServer> {
    const relay = new RelayServer(options);
    await new Promise<void>((resolve, reject) => {
      relay.http.once('error', (err: NodeJS.ErrnoException) =>
        reject(new TunnelsimError('RUNTIME', `cannot listen on ${relay.opts.host}:${relay.opts.port}: ${err.code ?? err.message}`)),
      );
      relay.http.listen(relay.opts.port, relay.opts.host, () => resolve());
    });
    return relay;
  }

  get port(): number {
    return (this.http.address() as AddressInfo).port;
  }

  get draining(): boolean {
    return this.drainingFlag;
  }

  baseUrl(): string {
    return this.opts.auth.publicUrl?.replace(/\/+$/, '') ?? `http://${this.opts.host}:${this.port}`;
  }

  /** Connected connectors and open agent sessions (health, tests). */
  stats(): { connectors: number; sessions: number } {
    return { connectors: this.connectors.size, sessions: this.agents.size };
  }

  run(outputs: Output[]): void {
    for (const o of outputs) {
      switch (o.kind) {
        case 'forward':
          this.connectors.forward(o.tunnel, o.sid, o.id, o.body);
          break;
        case 'open':
        case 'close':
          this.connectors.send(o.tunnel, { t: o.kind, sid: o.sid });
          break;
        case 'deliver':
          this.agents.deliver(o.sid, o.message, o.relatedRequestId, o.raw);
          break;
        case 'endSession':
          this.agents.end(o.sid);
          break;
        case 'audit':
          this.opts.audit.write(o.record);
          break;
        case 'strike':
          this.connectors.strike(o.tunnel);
          break;
      }
    }
  }

  /**
   * Graceful stop (SIGTERM): refuse new work with 503, let in-flight requests finish for up to
   * `timeoutMs`, then close every session, connector and socket.
   */
  async drain(timeoutMs = 10_000): Promise<void> {
    this.drainingFlag = true;
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline && this.busy()) await new Promise((r) => setTimeout(r, 20));
    await this.close();
  }

  /** Stops at once: in-flight requests fail with a JSON-RPC error. */
  async close(): Promise<void> {
    this.drainingFlag = true;
    clearInterval(this.keepAlive);
    clearInterval(this.deadlines);
    this.agents.closeAll();
    this.connectors.closeAll();
    await new Promise<void>((resolve) => {
      this.http.close(() => resolve());
      this.http.closeAllConnections();
    });
    this.opts.audit.flush?.();
  }

  private busy(): boolean {
    return this.core.totalInFlight() > 0;
  }

  private audit(status: AuditStatus, http: number | null, extra: { tunnel?: string | null; kind?: 'agent' | 'connector' } = {}): void {
    this.opts.audit.write(auditRecord(Date.now(), { ...extra, status, http }));
  }

  /** An `Origin` header that is present must be one the relay allows (DNS-rebinding defence). */
  private originOk(req: IncomingMessage): boolean {
    return originAllowed(header(req, 'origin'), this.origins);
  }

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = rawPath(req.url);
    let m = TUNNEL_PATH.exec(path);
    const tunnel = m && isTunnelId(m[1]) ? m[1] : null;
    if (!this.originOk(req)) {
      this.audit('bad_origin', 403, { tunnel });
      return sendJson(res, 403, { error: 'origin not allowed' });
    }
    if (m) {
      if (tunnel === null) {
        this.audit('bad_tunnel_id', 404);
        return sendJson(res, 404, { error: 'not found' });
      }
      return this.agents.handle(req, res, tunnel);
    }
    m = METADATA_PATH.exec(path);
    if (m && isTunnelId(m[1])) {
      return sendJson(res, 200, {
        resource: tunnelAudience(m[1], this.opts.auth.publicUrl),
        authorization_servers: [this.baseUrl()],
        bearer_methods_supported: ['header'],
        scopes_supported: [SCOPE_USE, SCOPE_READ_ONLY],
      });
    }
    if (path === '/token') return this.tokens.handle(req, res);
    if (path === '/healthz') return sendJson(res, this.draining ? 503 : 200, { status: this.draining ? 'draining' : 'ok', ...this.stats() });
    this.audit('not_found', 404);
    sendJson(res, 404, { error: 'not found' });
  }

  private upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    if (rawPath(req.url) !== '/connect') {
      this.audit('not_found', 404, { kind: 'connector' });
      return void socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    }
    if (!this.originOk(req)) {
      this.audit('bad_origin', 403, { kind: 'connector' });
      return void socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    }
    void this.connectors.upgrade(req, socket, head).catch(() => socket.destroy());
  }

  /** A request the handler failed on: the client reset the connection mid-body, or a bug. */
  private failed(req: IncomingMessage, res: ServerResponse): void {
    const reset = req.destroyed || req.socket.destroyed;
    this.audit(reset ? 'connection_reset' : 'bad_http', reset ? null : 500);
    sendJson(res, 500, { error: 'internal error' });
  }

  /**
   * A request the HTTP parser refused: 431 for a request line or headers past Node's limit
   * (16 KiB), 400 for anything else it could not read; a reset connection only gets its line.
   */
  private clientError(err: NodeJS.ErrnoException, socket: Duplex): void {
    if (this.serving.has(socket)) return void socket.destroy(); // its request's handler writes the line
    if (err.code === 'ECONNRESET' || !socket.writable) {
      this.audit('connection_reset', null);
      return void socket.destroy();
    }
    const tooLarge = err.code === 'HPE_HEADER_OVERFLOW';
    this.audit(tooLarge ? 'headers_too_large' : 'bad_http', tooLarge ? 431 : 400);
    const status = tooLarge ? '431 Request Header Fields Too Large' : '400 Bad Request';
    (socket as Socket).end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  }
}

/** The request target's path, exactly as sent (no dot-segment normalisation, no decoding). */
function rawPath(url: string | undefined): string {
  const u = url ?? '/';
  const q = u.indexOf('?');
  return q < 0 ? u : u.slice(0, q);
}
