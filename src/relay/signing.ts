/**
 * Request signing between relay and connector. The relay signs every frame it forwards with the
 * tunnel's key: HMAC-SHA256 over `timestamp.nonce.body`. The connector's `SignatureGuard` accepts a
 * frame only when the MAC matches, the timestamp is within `maxSkewMs` of its clock and the nonce
 * was not seen before. Nonces are remembered only as long as their timestamp could still pass the
 * skew check, and at most `nonceCapacity` of them: when the table is full the oldest is forgotten and
 * the acceptance floor rises to its timestamp, so memory stays bounded without reopening a replay.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export interface SigningOptions {
  /** Largest accepted |now − timestamp|, ms. @default 30000 */
  maxSkewMs: number;
  /** Nonces remembered at most. @default 100000 */
  nonceCapacity: number;
}

export const DEFAULT_SIGNING: SigningOptions = { maxSkewMs: 30_000, nonceCapacity: 100_000 };

export interface Signed {
  ts: number;
  nonce: string;
  sig: string;
}

export type SignatureCheck = { kind: 'ok' } | { kind: 'rejected'; reason: 'bad_signature' | 'stale_timestamp' | 'replayed_nonce' };

/** The MAC over (timestamp, nonce, body), base64url. */
export function signBody(key: Uint8Array, ts: number, nonce: string, body: string): string {
  return createHmac('sha256', key).update(`${ts}.${nonce}.`).update(body).digest('base64url');
}

export class SignatureGuard {
  private readonly opts: SigningOptions;
  private readonly seen = new Map<string, number>();
  private floor = -Infinity;

  constructor(
    private readonly key: Uint8Array,
    options: Partial<SigningOptions> = {},
  ) {
    this.opts = { ...DEFAULT_SIGNING, ...options };
    if (!(this.opts.maxSkewMs > 0)) throw new RangeError('maxSkewMs must be > 0');
    if (!(this.opts.nonceCapacity >= 1)) throw new RangeError('nonceCapacity must be ≥ 1');
  }

  check(s: Signed, body: string, now: number): SignatureCheck {
    const expected = Buffer.from(signBody(this.key, s.ts, s.nonce, body));
    const got = Buffer.from(String(s.sig));
    if (expected.length !== got.length || !timingSafeEqual(expected, got)) return { kind: 'rejected', reason: 'bad_signature' };
    if (!Number.isFinite(s.ts) || Math.abs(now - s.ts) > this.opts.maxSkewMs || s.ts <= this.floor) {
      return { kind: 'rejected', reason: 'stale_timestamp' };
    }
    if (this.seen.has(s.nonce)) return { kind: 'rejected', reason: 'replayed_nonce' };
    this.forget(now);
    this.seen.set(s.nonce, s.ts);
    return { kind: 'ok' };
  }

  get remembered(): number {
    return this.seen.size;
  }

  private forget(now: number): void {
    // Insertion order is close to timestamp order, so the expired nonces sit at the front.
    for (const [nonce, ts] of this.seen) {
      if (ts >= now - this.opts.maxSkewMs && this.seen.size < this.opts.nonceCapacity) break;
      this.seen.delete(nonce);
      if (ts > this.floor) this.floor = ts;
    }
  }
}
