/**
 * Request signing between relay and connector. The relay signs every message frame it forwards:
 * HMAC-SHA256 over (tunnel, session, JSON-RPC id, timestamp, nonce, body), so a frame moved to
 * another session or tunnel, or re-labelled with another id, fails its MAC. The connector's
 * `SignatureGuard` accepts a frame only when the MAC matches, the timestamp is within `maxSkewMs`
 * of its clock and the nonce was not seen before (a bounded `NonceMemory`).
 *
 * The key never crosses the wire. Each side derives it with HKDF-SHA256 from what both already
 * hold: an X25519 shared secret of the connection (each side sends only its public share) and,
 * when the connector authenticated with its long-lived credential, that credential's secret. The
 * salt is the relay's per-connection random value from `welcome`. So a passive reader of the
 * socket cannot sign frames, and with a credential neither can a party that terminates TLS in the
 * middle and runs its own key agreement: it lacks the credential.
 */
import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import { NonceMemory } from './nonces.js';
import type { RequestId } from './jsonrpc.js';

export interface SigningOptions {
  /** Largest accepted |now − timestamp|, ms. @default 30000 */
  maxSkewMs: number;
  /** Nonces remembered at most. @default 100000 */
  nonceCapacity: number;
}

export const DEFAULT_SIGNING: SigningOptions = { maxSkewMs: 30_000, nonceCapacity: 100_000 };

/** What a signed frame carries besides its body. */
export interface Signed {
  ts: number;
  nonce: string;
  sig: string;
}

/** Where a frame goes: the MAC binds it there. `id` is the JSON-RPC id the body carries, `null` for a notification. */
export interface FramePlace {
  tunnel: string;
  sid: string;
  id: RequestId | null;
}

export type SignatureCheck = { kind: 'ok' } | { kind: 'rejected'; reason: 'bad_signature' | 'stale_timestamp' | 'replayed_nonce' };

const KEY_INFO = 'tunnelsim request signing v1';

/**
 * The signing key of one connection: HKDF-SHA256 over the X25519 shared secret and, when the
 * connector used a credential, its secret; salted with the relay's per-connection `salt` and bound
 * to the tunnel by the HKDF info.
 */
export function deriveSigningKey(k: { shared: Uint8Array; credentialSecret?: Uint8Array; salt: Uint8Array; tunnel: string }): Uint8Array {
  const ikm = k.credentialSecret ? Buffer.concat([k.shared, k.credentialSecret]) : k.shared;
  return new Uint8Array(hkdfSync('sha256', ikm, k.salt, `${KEY_INFO}\0${k.tunnel}`, 32));
}

/** The id as the MAC sees it: its JSON text, so `1` and `"1"` differ; empty for a notification. */
function idText(id: RequestId | null): string {
  return id === null ? '' : JSON.stringify(id);
}

/** The MAC over (tunnel, session, id, timestamp, nonce, body), base64url. NUL separates the parts: none of them holds one unescaped. */
export function signFrame(key: Uint8Array, at: FramePlace, ts: number, nonce: string, body: string): string {
  return createHmac('sha256', key).update(`v1\0${at.tunnel}\0${at.sid}\0${idText(at.id)}\0${ts}\0${nonce}\0`).update(body).digest('base64url');
}

export class SignatureGuard {
  private readonly opts: SigningOptions;
  private readonly nonces: NonceMemory;

  constructor(
    private readonly key: Uint8Array,
    options: Partial<SigningOptions> = {},
  ) {
    this.opts = { ...DEFAULT_SIGNING, ...options };
    if (!(this.opts.maxSkewMs > 0)) throw new RangeError('maxSkewMs must be > 0');
    if (!(this.opts.nonceCapacity >= 1)) throw new RangeError('nonceCapacity must be ≥ 1');
    this.nonces = new NonceMemory({ windowMs: this.opts.maxSkewMs, capacity: this.opts.nonceCapacity });
  }

  check(s: Signed, at: FramePlace, body: string, now: number): SignatureCheck {
    const expected = Buffer.from(signFrame(this.key, at, s.ts, s.nonce, body));
    const got = Buffer.from(String(s.sig));
    if (expected.length !== got.length || !timingSafeEqual(expected, got)) return { kind: 'rejected', reason: 'bad_signature' };
    if (!Number.isFinite(s.ts) || Math.abs(now - s.ts) > this.opts.maxSkewMs) return { kind: 'rejected', reason: 'stale_timestamp' };
    const n = this.nonces.check(s.nonce, s.ts, now);
    if (n === 'stale') return { kind: 'rejected', reason: 'stale_timestamp' };
    if (n === 'replayed') return { kind: 'rejected', reason: 'replayed_nonce' };
    return { kind: 'ok' };
  }

  get remembered(): number {
    return this.nonces.size;
  }
}
