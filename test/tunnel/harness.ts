// Shared set-up for the live relay tests: a relay on 127.0.0.1:0 with an in-memory audit log,
// token minting, connectors and SDK clients that are all closed by `closeAll`.
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { RelayServer } from '../../src/tunnel/relay-server.js';
import type { RelayServerOptions } from '../../src/tunnel/relay-options.js';
import { Connector, type ConnectorOptions } from '../../src/tunnel/connector.js';
import { MemoryAuditSink } from '../../src/tunnel/audit-file.js';
import { mintToken, type MintOptions } from '../../src/tunnel/tokens.js';
import { upstreamFactory, type UpstreamSpec } from '../../src/tunnel/upstream.js';
import { KEY_SHARE_HEADER, newKeyShare } from '../../src/tunnel/key-agreement.js';
import { GRANT_TOKEN_EXCHANGE } from '../../src/tunnel/token-exchange.js';

export const SECRET = new TextEncoder().encode('test-secret-test-secret-test-secret!!');
export const STDIO_SERVER = fileURLToPath(new URL('../fixtures/stdio-server.mjs', import.meta.url));

export class Harness {
  relay!: RelayServer;
  readonly audit = new MemoryAuditSink();
  readonly connectorAudit = new MemoryAuditSink();
  private readonly closers: (() => Promise<unknown>)[] = [];

  async start(opts: Partial<RelayServerOptions> = {}): Promise<this> {
    this.relay = await RelayServer.start({ key: SECRET, mintSecret: SECRET, audit: this.audit, ...opts });
    return this;
  }

  get url(): string {
    return `http://127.0.0.1:${this.relay.port}`;
  }

  token(o: Partial<MintOptions> & { tunnel: string }, now?: number): Promise<string> {
    return mintToken(SECRET, { roles: ['use'], subject: 'agent', ...o }, now);
  }

  async connector(tunnel: string, spec: UpstreamSpec, opts: Partial<ConnectorOptions> = {}, mint: Partial<MintOptions> = {}): Promise<Connector> {
    const token = await mintToken(SECRET, { tunnel, roles: ['connect'], subject: `conn-${tunnel}`, ...mint });
    const c = new Connector({ relay: this.url, tunnel, token: () => token, upstream: upstreamFactory(spec), audit: this.connectorAudit, ...opts });
    this.closers.push(() => c.close());
    c.start();
    await c.ready();
    return c;
  }

  async client(tunnel: string, token?: string): Promise<Client> {
    const bearer = token ?? (await this.token({ tunnel }));
    const transport = new StreamableHTTPClientTransport(new URL(`${this.url}/t/${tunnel}/mcp`), {
      requestInit: { headers: { Authorization: `Bearer ${bearer}` } },
    });
    const client = new Client({ name: 'test-agent', version: '1.0.0' });
    await client.connect(transport);
    this.closers.push(() => client.close());
    return client;
  }

  onClose(fn: () => Promise<unknown>): void {
    this.closers.push(fn);
  }

  async closeAll(): Promise<void> {
    for (const c of this.closers.splice(0).reverse()) await c().catch(() => undefined);
    await this.relay?.close();
  }
}

/**
 * A bare WebSocket to `/connect`, as a hand-written (or hostile) connector would open it: bearer
 * token and an X25519 key share, nothing else. The caller closes it.
 */
export function rawConnector(h: Harness, tunnel: string, token: string, headers: Record<string, string> = {}): WebSocket {
  const ws = new WebSocket(`ws://127.0.0.1:${h.relay.port}/connect?tunnel=${encodeURIComponent(tunnel)}`, {
    headers: { Authorization: `Bearer ${token}`, [KEY_SHARE_HEADER]: newKeyShare().share, ...headers },
  });
  ws.on('error', () => undefined);
  return ws;
}

/** A POST to an agent endpoint with the headers an MCP client sends. */
export function rawPost(url: string, token: string | undefined, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/json',
      Accept: 'application/json, text/event-stream',
      ...(token ? { Authorization: `Bearer ${token}` } : {}),
      ...headers,
    },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

/** An RFC 8693 token exchange at the relay's `/token`. */
export function exchange(url: string, subject: string, scope = 'tunnel:use'): Promise<Response> {
  return fetch(`${url}/token`, {
    method: 'POST',
    body: new URLSearchParams({ grant_type: GRANT_TOKEN_EXCHANGE, subject_token: subject, subject_token_type: 'urn:ietf:params:oauth:token-type:jwt', scope }),
  });
}

export const INIT = {
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
};

/** The session id a connected SDK client holds. */
export function sessionOf(client: Client): string {
  return (client.transport as StreamableHTTPClientTransport).sessionId as string;
}

export function text(result: unknown): string {
  return ((result as { content: { text: string }[] }).content[0] as { text: string }).text;
}
