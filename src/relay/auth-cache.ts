/**
 * Remembers tokens that passed `authorize`, so a session's every request does not pay for a MAC or
 * signature check again: an agent sends the same bearer token on each POST. Only successes are kept,
 * keyed by (role, tunnel, token), and only until the token's own expiry (plus the clock tolerance);
 * a failure is always re-checked. Bounded: past `capacity` entries the oldest is forgotten.
 */
import { authorize, DEFAULT_AUTH, type AuthDecision, type AuthOptions, type VerifyKey } from './auth.js';
import type { Role } from './scopes.js';

export interface AuthCacheOptions {
  /** Tokens remembered at most. @default 4096 */
  capacity: number;
}

export const DEFAULT_AUTH_CACHE: AuthCacheOptions = { capacity: 4096 };

export class CachedAuthorizer {
  private readonly cache = new Map<string, Extract<AuthDecision, { kind: 'ok' }>>();
  private readonly opts: AuthCacheOptions;
  private readonly toleranceMs: number;

  constructor(
    private readonly key: VerifyKey,
    private readonly auth: Partial<AuthOptions>,
    options: Partial<AuthCacheOptions> = {},
  ) {
    this.opts = { ...DEFAULT_AUTH_CACHE, ...options };
    if (!(this.opts.capacity >= 0)) throw new RangeError('capacity must be ≥ 0');
    this.toleranceMs = (auth.clockToleranceSec ?? DEFAULT_AUTH.clockToleranceSec) * 1000;
  }

  /**
   * The remembered success for this token, if it is still within its expiry; `undefined` means
   * "verify it" (`authorize`). Synchronous, so a request with a known token costs no promise.
   */
  cached(token: string | undefined, want: { tunnel: string; role: Role }, now: number): Extract<AuthDecision, { kind: 'ok' }> | undefined {
    if (token === undefined) return undefined;
    const k = `${want.role} ${want.tunnel} ${token}`;
    const hit = this.cache.get(k);
    if (!hit) return undefined;
    // `nbf` needs no re-check: time only moves forward from the successful verification.
    if (now < hit.grant.expiresAt + this.toleranceMs) return hit;
    this.cache.delete(k);
    return undefined;
  }

  async authorize(token: string | undefined, want: { tunnel: string; role: Role }, now: number): Promise<AuthDecision> {
    const hit = this.cached(token, want, now);
    if (hit) return hit;
    if (token === undefined) return authorize(token, this.key, this.auth, want, now);
    const k = `${want.role} ${want.tunnel} ${token}`;
    const d = await authorize(token, this.key, this.auth, want, now);
    if (d.kind === 'ok' && this.opts.capacity > 0) {
      if (this.cache.size >= this.opts.capacity) this.cache.delete(this.cache.keys().next().value as string);
      this.cache.set(k, d);
    }
    return d;
  }
}
