/**
 * The connector's long-lived credential and the OAuth 2.0 client-credentials grant that trades it
 * for short-lived connect tokens (RFC 6749 §4.4, client authentication by a signed JWT assertion,
 * RFC 7523 §2.2, the `client_secret_jwt` method).
 *
 * A credential is (tunnel, subject, expiry, secret), where the secret is an HMAC of the relay's
 * signing key over the other three: the relay holds no table of credentials and recomputes any
 * secret when it is presented. The connector never sends the secret. It signs a one-minute
 * assertion with it (`clientAssertion`), the relay recomputes the secret from the assertion's
 * claims and checks the signature, freshness and a never-seen `jti` (`verifyClientAssertion`), and
 * mints a connect token that names the credential (claim `cred` = its expiry). The same secret
 * later keys the request-signing derivation (signing.ts), so it is the connector's one secret.
 *
 * A credential ends at its expiry or when the relay's key rotates; there is no revocation list.
 */
import { createHmac } from 'node:crypto';
import { decodeJwt, errors, jwtVerify, SignJWT } from 'jose';
import { isTunnelId } from './tunnel-id.js';
import type { NonceMemory } from './nonces.js';

export interface ConnectorCredential {
  tunnel: string;
  /** The `sub` of every connect token minted from it (the connector's identity in the audit log). */
  subject: string;
  /** Expiry, whole seconds since the epoch (part of the secret's derivation). */
  expiresAtSec: number;
  secret: Uint8Array;
}

export const CREDENTIAL_PREFIX = 'tunnelsim-credential.';
export const GRANT_CLIENT_CREDENTIALS = 'client_credentials';
export const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
/** The `aud` of client assertions: the relay's token endpoint, named independently of its URL. */
export const ASSERTION_AUDIENCE = 'urn:tunnelsim:token-endpoint';

export interface AssertionOptions {
  /** Lifetime of an assertion the connector signs, seconds. @default 60 */
  lifetimeSec: number;
  /** Longest lifetime the relay accepts (`exp − iat`), seconds. @default 300 */
  maxLifetimeSec: number;
  /** Clock skew tolerated on the assertion's `iat`/`exp`, seconds. @default 5 */
  clockToleranceSec: number;
}

export const DEFAULT_ASSERTION: AssertionOptions = { lifetimeSec: 60, maxLifetimeSec: 300, clockToleranceSec: 5 };

const SECRET_INFO = 'tunnelsim connector credential v1';

/** The secret of the credential (tunnel, subject, expiry) under the relay's `master` key. */
export function credentialSecret(master: Uint8Array, c: Pick<ConnectorCredential, 'tunnel' | 'subject' | 'expiresAtSec'>): Uint8Array {
  return new Uint8Array(createHmac('sha256', master).update(`${SECRET_INFO}\0${c.tunnel}\0${c.subject}\0${c.expiresAtSec}`).digest());
}

export function issueCredential(master: Uint8Array, c: Pick<ConnectorCredential, 'tunnel' | 'subject' | 'expiresAtSec'>): ConnectorCredential {
  if (!isTunnelId(c.tunnel)) throw new RangeError(`not a tunnel id: ${c.tunnel}`);
  if (!validSubject(c.subject)) throw new RangeError('subject must be 1–256 characters');
  if (!Number.isSafeInteger(c.expiresAtSec)) throw new RangeError('expiresAtSec must be an integer');
  return { ...c, secret: credentialSecret(master, c) };
}

/** The credential as one line of text, for a file the connector reads (`--credential-file`). */
export function formatCredential(c: ConnectorCredential): string {
  const body = { tunnel: c.tunnel, sub: c.subject, exp: c.expiresAtSec, secret: Buffer.from(c.secret).toString('base64url') };
  return CREDENTIAL_PREFIX + Buffer.from(JSON.stringify(body)).toString('base64url');
}

/** Reads `formatCredential` output; a string saying what is wrong when it is not one. */
export function parseCredential(text: string): ConnectorCredential | string {
  const t = text.trim();
  if (!t.startsWith(CREDENTIAL_PREFIX)) return `not a tunnelsim credential (it starts with '${CREDENTIAL_PREFIX}')`;
  let o: { tunnel?: unknown; sub?: unknown; exp?: unknown; secret?: unknown };
  try {
    o = JSON.parse(Buffer.from(t.slice(CREDENTIAL_PREFIX.length), 'base64url').toString('utf8')) as typeof o;
  } catch {
    return 'a damaged credential (not base64url JSON)';
  }
  if (typeof o.tunnel !== 'string' || !isTunnelId(o.tunnel)) return 'a damaged credential (tunnel)';
  if (typeof o.sub !== 'string' || !validSubject(o.sub)) return 'a damaged credential (subject)';
  if (typeof o.exp !== 'number' || !Number.isSafeInteger(o.exp)) return 'a damaged credential (expiry)';
  if (typeof o.secret !== 'string') return 'a damaged credential (secret)';
  const secret = new Uint8Array(Buffer.from(o.secret, 'base64url'));
  if (secret.length !== 32) return 'a damaged credential (secret)';
  return { tunnel: o.tunnel, subject: o.sub, expiresAtSec: o.exp, secret };
}

/** The assertion a connector sends to `/token` (client_secret_jwt): signed with the secret, which stays home. */
export function clientAssertion(c: ConnectorCredential, now: number, jti: string, options: Partial<AssertionOptions> = {}): Promise<string> {
  const o = { ...DEFAULT_ASSERTION, ...options };
  const iat = Math.floor(now / 1000);
  return new SignJWT({ tunnel: c.tunnel, cred: c.expiresAtSec })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuer(c.subject)
    .setSubject(c.subject)
    .setAudience(ASSERTION_AUDIENCE)
    .setJti(jti)
    .setIssuedAt(iat)
    .setExpirationTime(iat + o.lifetimeSec)
    .sign(c.secret);
}

export type AssertionDecision =
  | { kind: 'ok'; tunnel: string; subject: string; credentialExpiresAtSec: number }
  | { kind: 'denied'; reason: 'invalid_client' | 'replayed_assertion'; description: string; tunnel?: string; subject?: string };

/**
 * Checks a client assertion at time `now` (ms) against the secret recomputed from its own claims.
 * `replay` remembers the `jti`s seen, so a captured assertion is good once. Never throws.
 */
export async function verifyClientAssertion(
  assertion: string,
  master: Uint8Array,
  now: number,
  replay: NonceMemory,
  options: Partial<AssertionOptions> = {},
): Promise<AssertionDecision> {
  const o = { ...DEFAULT_ASSERTION, ...options };
  const deny = (description: string, who: { tunnel?: string; subject?: string } = {}): AssertionDecision => ({ kind: 'denied', reason: 'invalid_client', description, ...who });
  let claims: Record<string, unknown>;
  try {
    claims = decodeJwt(assertion);
  } catch {
    return deny('client_assertion is not a JWT');
  }
  const { tunnel, sub, cred } = claims;
  if (typeof tunnel !== 'string' || !isTunnelId(tunnel)) return deny('client_assertion names no valid tunnel');
  if (typeof sub !== 'string' || !validSubject(sub)) return deny('client_assertion names no valid subject', { tunnel });
  const who = { tunnel, subject: sub };
  if (typeof cred !== 'number' || !Number.isSafeInteger(cred)) return deny('client_assertion names no credential', who);
  if (cred * 1000 <= now) return deny('the credential has expired', who);
  let payload: Record<string, unknown>;
  try {
    const v = await jwtVerify(assertion, credentialSecret(master, { tunnel, subject: sub, expiresAtSec: cred }), {
      algorithms: ['HS256'],
      issuer: sub,
      subject: sub,
      audience: ASSERTION_AUDIENCE,
      currentDate: new Date(now),
      clockTolerance: o.clockToleranceSec,
      maxTokenAge: o.maxLifetimeSec,
      requiredClaims: ['exp', 'iat', 'jti'],
    });
    payload = v.payload as Record<string, unknown>;
  } catch (err) {
    const why = err instanceof errors.JWSSignatureVerificationFailed ? 'bad signature' : err instanceof errors.JWTExpired ? 'expired' : 'invalid claims';
    return deny(`client_assertion rejected: ${why}`, who);
  }
  const iat = Number(payload.iat);
  const exp = Number(payload.exp);
  // An assertion that lives long is a credential on the wire: refuse it.
  if (exp - iat > o.maxLifetimeSec) return deny('client_assertion lives too long', who);
  if (replay.check(`${tunnel} ${sub} ${String(payload.jti)}`, iat * 1000, now) !== 'ok') {
    return { kind: 'denied', reason: 'replayed_assertion', description: 'client_assertion was already used', ...who };
  }
  return { kind: 'ok', tunnel, subject: sub, credentialExpiresAtSec: cred };
}

function validSubject(s: string): boolean {
  return s.length >= 1 && s.length <= 256;
}
