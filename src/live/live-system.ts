/**
 * The real system one live world runs against: a relay on 127.0.0.1 port 0 (with the scenario's
 * per-tunnel limits), a connector that dials out to it and serves each agent session from the
 * scenario upstream, minted tokens, and one MCP client session per live agent. `close` ends the
 * sessions, the connector and the relay — every socket the world opened.
 */
import { randomBytes } from 'node:crypto';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { AuditSink } from '../relay/audit.js';
import type { Scenario } from '../scenario/types.js';
import { Connector } from './connector.js';
import { RelayServer } from './relay-server.js';
import { META_KEY, type ScenarioUpstream } from './scenario-server.js';
import { mintToken } from './tokens.js';

export interface LiveSystemOptions {
  sc: Scenario;
  upstream: ScenarioUpstream;
  /** Client sessions to open. */
  sessions: number;
  /** Audit records of the relay. @default discarded */
  audit?: AuditSink;
}

export interface LiveSystem {
  url: string;
  relay: RelayServer;
  sessions: Client[];
  close(): Promise<void>;
}

const TUNNEL = 'live';
/** Calls per session before the clock starts, so JIT compilation does not land in the first measured calls. */
const WARM_UP_CALLS = 5;

/** Warm-up calls carry workflow -1: the upstream answers them at once and records nothing. */
async function warmUp(sessions: Client[], tool: string): Promise<void> {
  for (let i = 0; i < WARM_UP_CALLS; i++) {
    await Promise.all(sessions.map((c, k) => c.callTool({ name: tool, arguments: {}, _meta: { [META_KEY]: { w: -1, k, a: i, t: 0 } } })));
  }
}

export async function startLiveSystem(o: LiveSystemOptions): Promise<LiveSystem> {
  const secret = randomBytes(32);
  const relay = await RelayServer.start({
    key: secret,
    mintSecret: secret,
    audit: o.audit ?? { write: () => undefined },
    maxInFlightPerTunnel: o.sc.relay.maxInFlightPerTunnel,
    queue: o.sc.relay.queue,
    maxSessionsPerTunnel: Math.max(1024, o.sessions),
  });
  const connectToken = await mintToken(secret, { tunnel: TUNNEL, roles: ['connect'], ttlSec: 24 * 3600, subject: 'live-connector' });
  const connector = new Connector({
    relay: `http://127.0.0.1:${relay.port}`,
    tunnel: TUNNEL,
    token: () => connectToken,
    upstream: async () => {
      const [client, server] = InMemoryTransport.createLinkedPair();
      await o.upstream.createServer().connect(server);
      return client;
    },
  });
  const sessions: Client[] = [];
  const close = async () => {
    await Promise.allSettled(sessions.map((c) => c.close()));
    await connector.close();
    await relay.close();
  };
  try {
    connector.start();
    await connector.ready();
    const url = `http://127.0.0.1:${relay.port}/t/${TUNNEL}/mcp`;
    const token = await mintToken(secret, { tunnel: TUNNEL, roles: ['use'], ttlSec: 24 * 3600, subject: 'live-agent' });
    // Opened a few at a time: hundreds of initialize handshakes at once would only queue.
    for (let i = 0; i < o.sessions; i += 32) {
      const batch = Array.from({ length: Math.min(32, o.sessions - i) }, async () => {
        const client = new Client({ name: 'tunnelsim-live-agent', version: '1.0.0' });
        await client.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers: { Authorization: `Bearer ${token}` } } }));
        sessions.push(client);
      });
      await Promise.all(batch);
    }
    await warmUp(sessions, o.sc.tools[0].name);
    return { url, relay, sessions, close };
  } catch (err) {
    await close();
    throw err;
  }
}
