/**
 * Token checks, sans-IO: `jose` does the cryptography and the standard claims (issuer, audience,
 * expiry, not-before, algorithm allow-list) against the time the caller passes in; this file maps
 * the outcome to an HTTP decision as the MCP authorization spec wants it (401 `invalid_token`,
 * 403 `insufficient_scope`) and reduces a good token to a `Grant`.
 */
import { errors, jwtVerify, type JWTVerifyGetKey } from 'jose';
import { parseScope, type Grant, type Role, SCOPE_CONNECT, SCOPE_USE } from './scopes.js';

export interface AuthOptions {
  /** Required `iss`. @default 'tunnelsim' */
  issuer: string;
  /** Accepted JWS algorithms; `none` is never accepted. @default ['HS256'] */
  algorithms: string[];
  /** Clock skew tolerated on `exp` and `nbf`, in seconds. @default 5 */
  clockToleranceSec: number;
  /**
   * Base URL of the relay as agents see it. When set, a tunnel's audience (its resource, RFC 8707)
   * is `${publicUrl}/t/{id}/mcp`; otherwise `urn:tunnelsim:tunnel:{id}`. @default undefined
   */
  publicUrl?: string;
}

export const DEFAULT_AUTH: AuthOptions = { issuer: 'tunnelsim', algorithms: ['HS256'], clockToleranceSec: 5 };

/** An HS256 secret or a key resolver (e.g. `createLocalJWKSet`) for asymmetric keys. */
export type VerifyKey = Uint8Array | JWTVerifyGetKey;

export type AuthFailure =
  | 'missing_token'
  | 'malformed'
  | 'bad_signature'
  | 'alg_not_allowed'
  | 'expired'
  | 'not_yet_valid'
  | 'bad_issuer'
  | 'bad_audience'
  | 'wrong_tunnel'
  | 'missing_scope';

export type AuthDecision =
  | { kind: 'ok'; grant: Grant }
  | { kind: 'denied'; status: 401 | 403; error: 'invalid_token' | 'insufficient_scope'; reason: AuthFailure; scope?: string };

/** The resource (and so the token audience) of one tunnel. */
export function tunnelAudience(tunnel: string, publicUrl?: string): string {
  return publicUrl ? `${publicUrl.replace(/\/+$/, '')}/t/${encodeURIComponent(tunnel)}/mcp` : `urn:tunnelsim:tunnel:${tunnel}`;
}

/** Pulls the token out of an `Authorization: Bearer …` header. */
export function bearerToken(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const m = /^Bearer +([A-Za-z0-9\-._~+/]+=*)$/i.exec(header.trim());
  return m ? m[1] : undefined;
}

function denied(reason: AuthFailure): AuthDecision {
  return { kind: 'denied', status: 401, error: 'invalid_token', reason };
}

function classify(err: unknown): AuthFailure {
  if (err instanceof errors.JWTExpired) return 'expired';
  if (err instanceof errors.JWTClaimValidationFailed) {
    if (err.claim === 'nbf') return 'not_yet_valid';
    if (err.claim === 'iss') return 'bad_issuer';
    if (err.claim === 'aud') return 'bad_audience';
    return 'malformed';
  }
  if (err instanceof errors.JWSSignatureVerificationFailed) return 'bad_signature';
  if (err instanceof errors.JOSEAlgNotAllowed || err instanceof errors.JOSENotSupported) return 'alg_not_allowed';
  if (err instanceof errors.JWKSNoMatchingKey) return 'bad_signature';
  return 'malformed';
}

/**
 * Verifies `token` for `role` on `tunnel` at time `now` (ms). Every failure is data, never a throw:
 * the caller turns it into a status, a `WWW-Authenticate` header and an audit record.
 */
export async function authorize(
  token: string | undefined,
  key: VerifyKey,
  options: Partial<AuthOptions>,
  want: { tunnel: string; role: Role },
  now: number,
): Promise<AuthDecision> {
  const opts = { ...DEFAULT_AUTH, ...options };
  if (!token) return denied('missing_token');
  const algorithms = opts.algorithms.filter((a) => a.toLowerCase() !== 'none');
  let payload: Record<string, unknown>;
  try {
    const verified = await jwtVerify(token, key as Uint8Array, {
      algorithms,
      issuer: opts.issuer,
      clockTolerance: opts.clockToleranceSec,
      currentDate: new Date(now),
      requiredClaims: ['exp', 'sub', 'aud'],
    });
    payload = verified.payload as Record<string, unknown>;
  } catch (err) {
    return denied(classify(err));
  }
  // The tunnel claim is checked before the audience so that a token for another tunnel is reported
  // as such; both must match.
  if (payload.tunnel !== want.tunnel) return denied('wrong_tunnel');
  const aud = tunnelAudience(want.tunnel, opts.publicUrl);
  if (!(payload.aud === aud || (Array.isArray(payload.aud) && payload.aud.includes(aud)))) return denied('bad_audience');
  const scope = typeof payload.scope === 'string' ? payload.scope : '';
  const parsed = parseScope(scope);
  if (!parsed.roles.has(want.role)) {
    return {
      kind: 'denied',
      status: 403,
      error: 'insufficient_scope',
      reason: 'missing_scope',
      scope: want.role === 'connect' ? SCOPE_CONNECT : SCOPE_USE,
    };
  }
  return {
    kind: 'ok',
    grant: {
      subject: String(payload.sub),
      tunnel: want.tunnel,
      ...parsed,
      expiresAt: Number(payload.exp) * 1000,
      ...(typeof payload.cred === 'number' && Number.isSafeInteger(payload.cred) ? { credentialExpiresAtSec: payload.cred } : {}),
    },
  };
}

/** The `WWW-Authenticate` value for a denial (RFC 6750 §3, RFC 9728 §5.1). */
export function wwwAuthenticate(d: Extract<AuthDecision, { kind: 'denied' }>, resourceMetadataUrl: string): string {
  const parts = [`resource_metadata="${resourceMetadataUrl}"`];
  if (d.reason !== 'missing_token') parts.push(`error="${d.error}"`, `error_description="${d.reason}"`);
  if (d.scope) parts.push(`scope="${d.scope}"`);
  return `Bearer ${parts.join(', ')}`;
}
