/** Options of the connector, and the connection states it reports. */
import type { AuditSink } from '../relay/audit.js';
import type { ConnectorCredential } from '../relay/credentials.js';
import type { SigningOptions } from '../relay/signing.js';
import type { UpstreamFactory } from './upstream.js';

export interface ConnectorOptions {
  /** Relay base URL (`http://`, `https://`, `ws://` or `wss://`). */
  relay: string;
  tunnel: string;
  /**
   * Returns the current bearer token; called on every (re)connect and before expiry.
   * @default with a `credential`, client credentials at the relay's `/token`
   */
  token: () => string | Promise<string>;
  /**
   * The long-lived credential: the token source by default, and its secret keys request signing
   * (a relay that will not mix it in is refused). @default undefined
   */
  credential?: ConnectorCredential;
  upstream: UpstreamFactory;
  /** First reconnect delay ceiling, ms. @default 200 */
  backoffBaseMs: number;
  /** Largest reconnect delay, ms. @default 10000 */
  backoffMaxMs: number;
  /** Renew this long before the token expires, or halfway through a token that lives less than twice that, ms. @default 30000 */
  reauthBeforeMs: number;
  /** Ping interval; a relay silent for two intervals is dropped. @default 15000 */
  heartbeatMs: number;
  /** @default DEFAULT_SIGNING */
  signing: Partial<SigningOptions>;
  /** Records of frames refused by the signature checks, and of upstream messages too large for a frame. @default none */
  audit?: AuditSink;
  /** Connection state changes (the CLI prints them). @default none */
  onState?: (state: ConnectorState) => void;
}

export type ConnectorState =
  | { kind: 'connected'; tunnel: string }
  | { kind: 'disconnected'; code: number; reason: string; retryInMs: number }
  | { kind: 'refused'; status: number; retryInMs: number }
  /** The token source failed; `status` is the relay's HTTP status when it refused a credential. */
  | { kind: 'noToken'; reason: string; status?: number; retryInMs: number }
  | { kind: 'reauthenticated'; expiresAt: number };

export const DEFAULT_CONNECTOR = {
  backoffBaseMs: 200,
  backoffMaxMs: 10_000,
  reauthBeforeMs: 30_000,
  heartbeatMs: 15_000,
  signing: {},
} satisfies Partial<ConnectorOptions>;
