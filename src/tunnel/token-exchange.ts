/**
 * The relay's token endpoint, `POST /token`, with two grants:
 *
 * - RFC 8693 token exchange: trade a token for one with the same or fewer rights (fewer tools,
 *   read-only, `use` without `connect`) that never outlives it (relay/exchange.ts decides).
 * - OAuth 2.0 client credentials (RFC 6749 §4.4) with a `client_secret_jwt` assertion (RFC 7523):
 *   a connector proves it holds its long-lived credential and gets a connect token of
 *   `connectTokenTtl` (relay/credentials.ts decides). This is how a connector renews itself.
 *
 * Every answer, refusals included, leaves one audit line.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { decodeJwt } from 'jose';
import { authorize } from '../relay/auth.js';
import { auditRecord, type AuditRecord, type AuditStatus } from '../relay/audit.js';
import { ASSERTION_TYPE, GRANT_CLIENT_CREDENTIALS, verifyClientAssertion } from '../relay/credentials.js';
import { decideExchange } from '../relay/exchange.js';
import { NonceMemory } from '../relay/nonces.js';
import { formatScope, parseScope } from '../relay/scopes.js';
import { isTunnelId } from '../relay/tunnel-id.js';
import { mintToken } from './tokens.js';
import { readBody, sendJson } from './relay-agents.js';
import type { RelayContext } from './relay-options.js';

export const GRANT_TOKEN_EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';
const JWT_TYPES = ['urn:ietf:params:oauth:token-type:jwt', 'urn:ietf:params:oauth:token-type:access_token'];
const NO_STORE = { 'Cache-Control': 'no-store' };

export class TokenEndpoint {
  /** `jti`s of client assertions seen: an assertion is good once. */
  private readonly assertions = new NonceMemory({ windowMs: 310_000, capacity: 100_000 });

  constructor(private readonly ctx: RelayContext) {}

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const now = Date.now();
    const ctx = this.ctx;
    const answer = (http: number, body: Record<string, unknown>, status: AuditStatus, who: Partial<AuditRecord> = {}, grant = 'token') => {
      // A client-credentials caller is a connector getting its connect token.
      const kind = grant === 'client-credentials' ? 'connector' : 'agent';
      ctx.opts.audit.write(auditRecord(now, { kind, method: grant, ...who, status, http, latencyMs: Date.now() - now }));
      sendJson(res, http, body, NO_STORE);
    };
    const oauthError = (http: number, error: string, description: string, status: AuditStatus, who: Partial<AuditRecord> = {}, grant?: string) =>
      answer(http, { error, error_description: description }, status, who, grant);
    if (req.method !== 'POST') return oauthError(405, 'invalid_request', 'POST only', 'method_not_allowed');
    const body = await readBody(req, 64 * 1024);
    if (body === undefined) return oauthError(413, 'invalid_request', 'request too large', 'oversized');
    const form = new URLSearchParams(body);
    if (!ctx.opts.mintSecret) return oauthError(400, 'invalid_request', 'this relay does not mint tokens', 'invalid_request');
    const grant = form.get('grant_type');
    if (grant === GRANT_TOKEN_EXCHANGE) return this.exchange(form, now, ctx.opts.mintSecret, answer, oauthError);
    if (grant === GRANT_CLIENT_CREDENTIALS) return this.clientCredentials(form, now, ctx.opts.mintSecret, answer, oauthError);
    return oauthError(400, 'unsupported_grant_type', 'token-exchange or client_credentials only', 'invalid_request');
  }

  private async exchange(form: URLSearchParams, now: number, secret: Uint8Array, answer: Answer, oauthError: OAuthError): Promise<void> {
    const ctx = this.ctx;
    const g = 'token-exchange';
    const subjectToken = form.get('subject_token') ?? '';
    if (!JWT_TYPES.includes(form.get('subject_token_type') ?? '')) return oauthError(400, 'invalid_request', 'subject_token_type must be a JWT', 'invalid_request', {}, g);
    let claims: Record<string, unknown>;
    try {
      claims = decodeJwt(subjectToken);
    } catch {
      return oauthError(400, 'invalid_grant', 'subject_token is not a JWT', 'malformed', {}, g);
    }
    const tunnel = claims.tunnel;
    if (typeof tunnel !== 'string' || !isTunnelId(tunnel)) return oauthError(400, 'invalid_grant', 'subject_token names no tunnel', 'malformed', {}, g);
    const role = parseScope(String(claims.scope ?? '')).roles.has('use') ? 'use' : 'connect';
    // No leeway here: a token a tunnel would still accept for a few seconds is already expired for exchange.
    const d = await authorize(subjectToken, ctx.opts.key, { ...ctx.opts.auth, clockToleranceSec: 0 }, { tunnel, role }, now);
    if (d.kind === 'denied') return oauthError(400, 'invalid_grant', d.reason, d.reason, { tunnel }, g);
    const who = { tunnel, subject: d.grant.subject };
    const x = decideExchange(d.grant, parseScope(form.get('scope') ?? ''), ctx.opts.exchangeTtlSec, now);
    if (x.kind === 'denied') return oauthError(400, x.error, x.description, x.error === 'invalid_scope' ? 'missing_scope' : 'expired', who, g);
    const token = await mintToken(
      secret,
      {
        tunnel,
        roles: [...x.rights.roles],
        tools: x.rights.tools && [...x.rights.tools],
        readOnly: x.rights.readOnly,
        expiresAtSec: x.expiresAtSec,
        subject: d.grant.subject,
        issuer: ctx.opts.auth.issuer,
        publicUrl: ctx.opts.auth.publicUrl,
        credentialExpiresAtSec: d.grant.credentialExpiresAtSec,
      },
      now,
    );
    const scope = formatScope({ roles: x.rights.roles, tools: x.rights.tools, readOnly: x.rights.readOnly });
    answer(200, { access_token: token, issued_token_type: 'urn:ietf:params:oauth:token-type:jwt', token_type: 'Bearer', expires_in: x.expiresInSec, scope }, 'ok', who, g);
  }

  private async clientCredentials(form: URLSearchParams, now: number, secret: Uint8Array, answer: Answer, oauthError: OAuthError): Promise<void> {
    const ctx = this.ctx;
    const g = 'client-credentials';
    if (form.get('client_assertion_type') !== ASSERTION_TYPE) {
      return oauthError(401, 'invalid_client', `client_assertion_type must be ${ASSERTION_TYPE}`, 'invalid_client', {}, g);
    }
    const v = await verifyClientAssertion(form.get('client_assertion') ?? '', secret, now, this.assertions);
    if (v.kind === 'denied') return oauthError(401, 'invalid_client', v.description, v.reason, { tunnel: v.tunnel ?? null, subject: v.subject ?? null }, g);
    const who = { tunnel: v.tunnel, subject: v.subject };
    const scope = form.get('scope');
    if (scope !== null && scope !== '' && scope !== 'tunnel:connect') return oauthError(400, 'invalid_scope', 'a credential grants tunnel:connect only', 'missing_scope', who, g);
    if (!ctx.core.accepts(v.tunnel)) return oauthError(400, 'invalid_grant', 'this relay does not serve the tunnel', 'unknown_tunnel', who, g);
    const expiresAtSec = Math.min(Math.floor(now / 1000) + ctx.opts.connectTokenTtlSec, v.credentialExpiresAtSec);
    const token = await mintToken(
      secret,
      {
        tunnel: v.tunnel,
        roles: ['connect'],
        expiresAtSec,
        subject: v.subject,
        issuer: ctx.opts.auth.issuer,
        publicUrl: ctx.opts.auth.publicUrl,
        credentialExpiresAtSec: v.credentialExpiresAtSec,
      },
      now,
    );
    answer(200, { access_token: token, token_type: 'Bearer', expires_in: Math.max(0, expiresAtSec - Math.floor(now / 1000)), scope: 'tunnel:connect' }, 'ok', who, g);
  }
}

type Answer = (http: number, body: Record<string, unknown>, status: AuditStatus, who?: Partial<AuditRecord>, grant?: string) => void;
type OAuthError = (http: number, error: string, description: string, status: AuditStatus, who?: Partial<AuditRecord>, grant?: string) => void;
