/**
 * Token exchange (RFC 8693) decided sans-IO: what a verified subject token may be traded for. The
 * new token has the same or fewer rights (`narrowScope`) and never outlives the token it came
 * from: its expiry is the earlier of `now + exchangeTtl` and the subject token's own expiry, so no
 * chain of exchanges keeps a token alive past its first expiry. The subject token is verified with
 * no clock leeway (a token accepted a few seconds late at a tunnel is still expired here:
 * `invalid_grant`), and one with less than a second to live is refused rather than traded for a
 * token that is dead on arrival.
 */
import { narrowScope, type Grant } from './scopes.js';

export type ExchangeDecision =
  | { kind: 'ok'; rights: Pick<Grant, 'roles' | 'tools' | 'readOnly'>; expiresAtSec: number; expiresInSec: number }
  | { kind: 'denied'; error: 'invalid_grant' | 'invalid_scope'; description: string };

export function decideExchange(subject: Grant, want: Pick<Grant, 'roles' | 'tools' | 'readOnly'>, exchangeTtlSec: number, now: number): ExchangeDecision {
  const rights = narrowScope(subject, want);
  if (!rights) return { kind: 'denied', error: 'invalid_scope', description: 'requested scope exceeds the subject token' };
  const expiresAtSec = Math.min(Math.floor(now / 1000) + exchangeTtlSec, Math.floor(subject.expiresAt / 1000));
  const left = expiresAtSec * 1000 - now;
  if (left < 1000) return { kind: 'denied', error: 'invalid_grant', description: 'expired' };
  // Counted as the token itself counts its life: exp − iat, with iat the current whole second.
  return { kind: 'ok', rights, expiresAtSec, expiresInSec: expiresAtSec - Math.floor(now / 1000) };
}
