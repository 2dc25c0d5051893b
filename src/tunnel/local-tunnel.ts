/**
 * A whole tunnel in one call: relay on a free loopback port, a connector serving `upstream`, and an
 * agent token — for live runs, calibration and examples that need "an MCP endpoint behind the
 * relay" without wiring the parts by hand. The signing secret is random and never leaves the process.
 */
import { randomBytes } from 'node:crypto';
import type { AuditSink } from '../relay/audit.js';
import { Connector } from './connector.js';
import { RelayServer } from './relay-server.js';
import { DEFAULT_RELAY_SERVER, type RelayServerOptions } from './relay-options.js';
import { mintToken } from './tokens.js';
import { upstreamFactory, type UpstreamSpec } from './upstream.js';

export interface LocalTunnelOptions {
  upstream: UpstreamSpec;
  /** @default 'local' */
  tunnel?: string;
  /** Audit records; default: discarded. @default a sink that drops records */
  audit?: AuditSink;
  /** Further relay options (limits, heartbeat, …). @default {} */
  relay?: Partial<Omit<RelayServerOptions, 'key' | 'audit'>>;
  /** Lifetime of the agent token, seconds. @default 3600 */
  tokenTtlSec?: number;
}

export interface LocalTunnel {
  /** The agents' MCP endpoint, `http://127.0.0.1:PORT/t/{tunnel}/mcp`. */
  url: string;
  /** A `tunnel:use` bearer token for `url`. */
  token: string;
  relay: RelayServer;
  close(): Promise<void>;
}

export async function startLocalTunnel(o: LocalTunnelOptions): Promise<LocalTunnel> {
  const tunnel = o.tunnel ?? 'local';
  const secret = randomBytes(32);
  // One agent token serves every caller of a local tunnel, so the per-subject quotas default to the tunnel's own limits.
  const r = o.relay ?? {};
  const relay = await RelayServer.start({
    maxSessionsPerSubject: r.maxSessionsPerTunnel ?? DEFAULT_RELAY_SERVER.maxSessionsPerTunnel,
    maxRequestsPerSubject: (r.maxInFlightPerTunnel ?? DEFAULT_RELAY_SERVER.maxInFlightPerTunnel) + (r.queue ?? DEFAULT_RELAY_SERVER.queue),
    ...r,
    key: secret,
    mintSecret: secret,
    audit: o.audit ?? { write: () => undefined },
  });
  const connectToken = await mintToken(secret, { tunnel, roles: ['connect'], ttlSec: 24 * 3600, subject: 'local-connector' });
  const connector = new Connector({ relay: `http://127.0.0.1:${relay.port}`, tunnel, token: () => connectToken, upstream: upstreamFactory(o.upstream) });
  connector.start();
  try {
    await connector.ready();
  } catch (err) {
    await relay.close();
    throw err;
  }
  return {
    url: `http://127.0.0.1:${relay.port}/t/${tunnel}/mcp`,
    token: await mintToken(secret, { tunnel, roles: ['use'], ttlSec: o.tokenTtlSec ?? 3600, subject: 'local-agent' }),
    relay,
    close: async () => {
      await connector.close();
      await relay.close();
    },
  };
}
