/** Options of the live relay server, and the context its parts share. */
import type { AuthOptions, VerifyKey } from '../relay/auth.js';
import type { AuditSink } from '../relay/audit.js';
import type { Output, RelayCore } from '../relay/core.js';
import type { CachedAuthorizer } from '../relay/auth-cache.js';
import type { RelayObserver } from './observer.js';
import type { SheddingSpec } from '../relay/shedding.js';

export interface RelayServerOptions {
  /** TCP port; 0 picks a free one. @default 0 */
  port: number;
  /** Listen address. @default '127.0.0.1' */
  host: string;
  /** HS256 secret or JWKS resolver that verifies every token. */
  key: VerifyKey;
  /**
   * HS256 secret used to mint tokens at `/token` (exchange and connector credentials) and to
   * recompute connector credentials' secrets; without it `/token` answers 400 and connectors sign
   * with the key agreement alone. @default undefined
   */
  mintSecret?: Uint8Array;
  /** Issuer, algorithms, clock tolerance, public URL. @default DEFAULT_AUTH */
  auth: Partial<AuthOptions>;
  /** Largest agent request body or connector frame, bytes. @default 1048576 */
  maxFrameBytes: number;
  /** @default 256 */
  maxInFlightPerTunnel: number;
  /** @default 1024 */
  queue: number;
  /** Shed queued requests that waited too long (relay/shedding.ts), wall ms. @default undefined (never) */
  shedding?: SheddingSpec;
  /** Agent sessions open at once per tunnel; more get 429 on initialize. @default 1024 */
  maxSessionsPerTunnel: number;
  /** Agent sessions one subject may hold on one tunnel; more get 429 on initialize. @default 256 */
  maxSessionsPerSubject: number;
  /** Requests (forwarded + queued) one subject may have on one tunnel; more get 429. @default 256 */
  maxRequestsPerSubject: number;
  /** A request unanswered this long fails with JSON-RPC -32016 and is cancelled upstream, ms. @default 300000 */
  requestTimeoutMs: number;
  /** Tunnel ids served; `undefined` = any a connector holds a token for. @default undefined */
  tunnels?: string[];
  /** Browser origins allowed besides `auth.publicUrl`'s (requests without `Origin` always pass). @default [] */
  allowedOrigins: string[];
  /** Ping interval for connectors (one silent for two intervals is dropped) and SSE keep-alive comments for agents. @default 15000 */
  heartbeatMs: number;
  /** A session with no traffic and no open stream for this long is closed (with its upstream session). @default 1800000 */
  sessionIdleMs: number;
  /** Retry-After seconds sent with 429 and 503. @default 1 */
  retryAfterSec: number;
  /** Answer POSTs with JSON instead of SSE streams. @default false */
  jsonResponse: boolean;
  /** Longest lifetime of a token minted by token exchange at `/token`, seconds. @default 300 */
  exchangeTtlSec: number;
  /** Lifetime of a connect token minted for a connector credential at `/token`, seconds. @default 900 */
  connectTokenTtlSec: number;
  /** Malformed frames a connector may send before it is disconnected. @default 100 */
  maxBadFrames: number;
  /** Where audit records go. @default stderr */
  audit: AuditSink;
  /** Telemetry (metrics, spans) told of requests, audit records and connectors (observer.ts). @default none */
  observer?: RelayObserver;
}

export const DEFAULT_RELAY_SERVER: Omit<RelayServerOptions, 'key' | 'audit'> = {
  port: 0,
  host: '127.0.0.1',
  auth: {},
  maxFrameBytes: 1 << 20,
  maxInFlightPerTunnel: 256,
  queue: 1024,
  maxSessionsPerTunnel: 1024,
  maxSessionsPerSubject: 256,
  maxRequestsPerSubject: 256,
  requestTimeoutMs: 300_000,
  allowedOrigins: [],
  heartbeatMs: 15_000,
  sessionIdleMs: 30 * 60_000,
  retryAfterSec: 1,
  jsonResponse: false,
  exchangeTtlSec: 300,
  connectTokenTtlSec: 900,
  maxBadFrames: 100,
};

/** What the HTTP, WebSocket and token-endpoint parts of the relay share. */
export interface RelayContext {
  readonly opts: RelayServerOptions;
  readonly core: RelayCore;
  /** Agent-token checks, remembered per token until it expires. */
  readonly authorizer: CachedAuthorizer;
  readonly draining: boolean;
  /** Carries out the core's decisions. */
  run(outputs: Output[]): void;
  /** `http://host:port` as agents reach the relay. */
  baseUrl(): string;
}
