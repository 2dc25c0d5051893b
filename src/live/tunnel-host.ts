/**
 * The server half of a live world: a relay on 127.0.0.1 port 0 with the scenario's per-tunnel
 * limits, a connector that dials out to it, and the scenario upstream behind it, plus a minted
 * agent token. It runs on the agents' thread or in its own worker thread (system-worker.ts), so
 * relay and connector work does not delay the agents' timers.
 */
import { randomBytes } from 'node:crypto';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { AuditRecord } from '../relay/audit.js';
import type { SheddingSpec } from '../relay/shedding.js';
import type { Scenario } from '../scenario/types.js';
import { Connector } from '../tunnel/connector.js';
import { RelayServer } from '../tunnel/relay-server.js';
import type { ScenarioUpstream } from './scenario-server.js';
import { mintToken } from '../tunnel/tokens.js';
import type { Tracer } from '@opentelemetry/api';
import { RelayTracing, tracedUpstream } from '../tunnel/tracing.js';
import type { UpstreamFactory } from '../tunnel/upstream.js';

/** Tracers of the relay's and the connector's hops, when the live run exports traces. */
export interface TunnelTracers {
  relay: Tracer;
  connector: Tracer;
}

export interface TunnelHost {
  url: string;
  token: string;
  close(): Promise<void>;
}

const TUNNEL = 'live';

/**
 * `onAudit` sees the relay's audit record of every request (its queue time, for the live report).
 * `extra.tracers` export the relay's and connector's spans; `extra.shedding` is the world's relay
 * shedding (scenario ms), run at `extra.timeScale` wall ms per scenario ms.
 */
export async function startTunnelHost(
  sc: Scenario,
  upstream: ScenarioUpstream,
  sessions: number,
  onAudit: (r: AuditRecord) => void = () => undefined,
  extra: { tracers?: TunnelTracers; shedding?: SheddingSpec; timeScale?: number } = {},
): Promise<TunnelHost> {
  const { tracers, shedding, timeScale = 1 } = extra;
  const secret = randomBytes(32);
  const relay = await RelayServer.start({
    key: secret,
    mintSecret: secret,
    audit: { write: onAudit },
    maxInFlightPerTunnel: sc.relay.maxInFlightPerTunnel,
    queue: sc.relay.queue,
    shedding: shedding && { ...shedding, target: shedding.target * timeScale, interval: shedding.interval * timeScale },
    maxSessionsPerTunnel: Math.max(1024, sessions),
    observer: tracers && new RelayTracing(tracers.relay),
    // Every agent of a live run carries the one token minted below: per-subject quotas and the
    // relay's request deadline, which the simulator does not model, must not change the run.
    maxSessionsPerSubject: Math.max(1024, sessions),
    maxRequestsPerSubject: sc.relay.maxInFlightPerTunnel + sc.relay.queue,
    requestTimeoutMs: 2 ** 31 - 1,
  });
  const connectToken = await mintToken(secret, { tunnel: TUNNEL, roles: ['connect'], ttlSec: 24 * 3600, subject: 'live-connector' });
  const scenarioUpstream: UpstreamFactory = async () => {
    const [client, server] = InMemoryTransport.createLinkedPair();
    await upstream.createServer().connect(server);
    return client;
  };
  const connector = new Connector({
    relay: `http://127.0.0.1:${relay.port}`,
    tunnel: TUNNEL,
    token: () => connectToken,
    upstream: tracers ? tracedUpstream(scenarioUpstream, tracers.connector) : scenarioUpstream,
  });
  const close = async () => {
    await connector.close();
    await relay.close();
  };
  try {
    connector.start();
    await connector.ready();
    return {
      url: `http://127.0.0.1:${relay.port}/t/${TUNNEL}/mcp`,
      token: await mintToken(secret, { tunnel: TUNNEL, roles: ['use'], ttlSec: 24 * 3600, subject: 'live-agent' }),
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}
