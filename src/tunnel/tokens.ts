/**
 * Minting tokens for development and for the token-exchange endpoint: HS256 JWTs whose claims
 * match what `relay/auth.ts` checks (issuer, audience = the tunnel's resource, `tunnel`, `scope`).
 */
import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import { tunnelAudience, DEFAULT_AUTH } from '../relay/auth.js';
import { formatScope, type Role } from '../relay/scopes.js';
import { TunnelsimError } from '../errors.js';

export const JWT_SECRET_ENV = 'TUNNELSIM_JWT_SECRET';

export interface MintOptions {
  tunnel: string;
  roles: Role[];
  /** Tool allow-list; none means every tool. @default undefined */
  tools?: string[];
  /** @default false */
  readOnly?: boolean;
  /** Lifetime in seconds. @default 900 */
  ttlSec?: number;
  /** Absolute expiry, whole seconds since the epoch; overrides `ttlSec`. @default undefined */
  expiresAtSec?: number;
  /** The connector credential this token was minted from (claim `cred`: its expiry, seconds). @default undefined */
  credentialExpiresAtSec?: number;
  /** @default 'dev' */
  subject?: string;
  /** @default 'tunnelsim' */
  issuer?: string;
  /** Relay base URL, when the relay is configured with `publicUrl`. @default undefined */
  publicUrl?: string;
  /** Seconds before now when the token becomes valid; negative = in the future. @default 0 */
  notBeforeSec?: number;
}

/** The HS256 key from `TUNNELSIM_JWT_SECRET`; bad input when unset or shorter than 32 bytes. */
export function secretFromEnv(env: NodeJS.ProcessEnv = process.env): Uint8Array {
  const s = env[JWT_SECRET_ENV];
  if (!s) throw new TunnelsimError('BAD_INPUT', `${JWT_SECRET_ENV} is not set`);
  const key = new TextEncoder().encode(s);
  if (key.length < 32) throw new TunnelsimError('BAD_INPUT', `${JWT_SECRET_ENV} must be at least 32 bytes`);
  return key;
}

export async function mintToken(secret: Uint8Array, o: MintOptions, now: number = Date.now()): Promise<string> {
  const iat = Math.floor(now / 1000);
  const claims: Record<string, unknown> = { tunnel: o.tunnel, scope: formatScope({ roles: o.roles, tools: o.tools, readOnly: o.readOnly }) };
  if (o.credentialExpiresAtSec !== undefined) claims.cred = o.credentialExpiresAtSec;
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuer(o.issuer ?? DEFAULT_AUTH.issuer)
    .setSubject(o.subject ?? 'dev')
    .setAudience(tunnelAudience(o.tunnel, o.publicUrl))
    .setIssuedAt(iat)
    // Two tokens minted in one second must still differ: a connector renews by sending a new one.
    .setJti(randomUUID())
    .setNotBefore(iat - (o.notBeforeSec ?? 0))
    .setExpirationTime(o.expiresAtSec ?? iat + (o.ttlSec ?? 900))
    .sign(secret);
}
