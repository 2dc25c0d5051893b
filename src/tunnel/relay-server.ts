/**
 * The live relay: one HTTP server carrying connectors (WebSocket, `/connect`), agents (MCP
 * Streamable HTTP, `/t/{id}/mcp`), token exchange (`/token`), protected-resource metadata
 * (RFC 9728) and `/healthz`. All decisions come from the sans-IO `RelayCore`; this file owns the
 * sockets, the wall clock, and the order of shutdown.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tunnelAudience } from '../relay/auth.js';
import { RelayCore, type Output } from '../relay/core.js';
import { CachedAuthorizer } from '../relay/auth-cache.js';
import { SCOPE_USE, SCOPE_READ_ONLY } from '../relay/scopes.js';
import { TunnelsimError } from '../errors.js';
import { AgentSessions, sendJson } from './relay-agents.js';
import { ConnectorHub } from './relay-connectors.js';
import { DEFAULT_RELAY_SERVER, type RelayContext, type RelayServerOptions } from './relay-options.js';
import { stdoutAuditSink } from './audit-file.js';
import { handleTokenExchange } from './token-exchange.js';
import { observedAudit } from './observer.js';

// Tunnel ids are plain names, so they are safe in URLs, headers and audit lines without escaping.
const TUNNEL_PATH = /^\/t\/([A-Za-z0-9._-]{1,128})\/mcp\/?$/;
const METADATA_PATH = /^\/\.well-known\/oauth-protected-resource\/t\/([A-Za-z0-9._-]{1,128})\/mcp\/?$/;

export class RelayServer implements RelayContext {
  readonly opts: RelayServerOptions;
  readonly core: RelayCore;
  readonly authorizer: CachedAuthorizer;
  private readonly http: Server;
  private readonly agents: AgentSessions;
  private readonly connectors: ConnectorHub;
  private drainingFlag = false;
  private readonly keepAlive: NodeJS.Timeout;

  private constructor(options: Partial<RelayServerOptions> & Pick<RelayServerOptions, 'key'>) {
    const opts = { ...DEFAULT_RELAY_SERVER, audit: stdoutAuditSink, ...options };
    this.opts = { ...opts, audit: observedAudit(opts.audit, opts.observer) };
    if (!(this.opts.maxFrameBytes >= 1024)) throw new RangeError('maxFrameBytes must be ≥ 1024');
    if (!(this.opts.heartbeatMs >= 10)) throw new RangeError('heartbeatMs must be ≥ 10');
    this.core = new RelayCore({ maxInFlight: this.opts.maxInFlightPerTunnel, queue: this.opts.queue, shedding: this.opts.shedding, tunnels: this.opts.tunnels });
    this.authorizer = new CachedAuthorizer(this.opts.key, this.opts.auth);
    this.agents = new AgentSessions(this);
    this.connectors = new ConnectorHub(this);
    this.keepAlive = setInterval(() => this.agents.beat(Date.now()), this.opts.heartbeatMs);
    this.keepAlive.unref();
    this.http = createServer((req, res) => void this.route(req, res).catch(() => sendJson(res, 500, { error: 'internal error' })));
    this.http.on('upgrade', (req, socket, head) => {
      if (new URL(req.url ?? '/', 'http://relay').pathname !== '/connect') return void socket.destroy();
      void this.connectors.upgrade(req, socket, head).catch(() => socket.destroy());
    });
    this.http.on('clientError', (_err, socket) => socket.destroy());
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
          this.connectors.forward(o.tunnel, o.sid, o.body, randomBytes(12).toString('base64url'));
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
    this.agents.closeAll();
    this.connectors.closeAll();
    await new Promise<void>((resolve) => {
      this.http.close(() => resolve());
      this.http.closeAllConnections();
    });
  }

  private busy(): boolean {
    return this.core.totalInFlight() > 0;
  }

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', 'http://relay').pathname;
    let m = TUNNEL_PATH.exec(path);
    if (m) return this.agents.handle(req, res, m[1]);
    m = METADATA_PATH.exec(path);
    if (m) {
      const tunnel = m[1];
      return sendJson(res, 200, {
        resource: tunnelAudience(tunnel, this.opts.auth.publicUrl),
        authorization_servers: [this.baseUrl()],
        bearer_methods_supported: ['header'],
        scopes_supported: [SCOPE_USE, SCOPE_READ_ONLY],
      });
    }
    if (path === '/token') return handleTokenExchange(this, req, res);
    if (path === '/healthz') return sendJson(res, this.draining ? 503 : 200, { status: this.draining ? 'draining' : 'ok', ...this.stats() });
    sendJson(res, 404, { error: 'not found' });
  }
}
