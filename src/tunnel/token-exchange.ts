/**
 * RFC 8693 token exchange at `POST /token`: trade a token for a shorter-lived one with the same or
 * fewer privileges (fewer tools, read-only, `use` without `connect`). The subject token is checked
 * exactly as the tunnel would check it; the new token never outlives it nor `exchangeTtlSec`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { decodeJwt } from 'jose';
import { authorize } from '../relay/auth.js';
import { auditRecord } from '../relay/audit.js';
import { formatScope, narrowScope, parseScope } from '../relay/scopes.js';
import { mintToken } from './tokens.js';
import { readBody, sendJson } from './relay-agents.js';
import type { RelayContext } from './relay-options.js';

export const GRANT_TOKEN_EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';
const JWT_TYPES = ['urn:ietf:params:oauth:token-type:jwt', 'urn:ietf:params:oauth:token-type:access_token'];

export async function handleTokenExchange(ctx: RelayContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const now = Date.now();
  const oauthError = (status: number, error: string, description: string) => {
    ctx.opts.audit.write(auditRecord(now, { method: 'token-exchange', status: 'malformed', http: status }));
    sendJson(res, status, { error, error_description: description }, { 'Cache-Control': 'no-store' });
  };
  if (req.method !== 'POST') return oauthError(405, 'invalid_request', 'POST only');
  const body = await readBody(req, 64 * 1024);
  if (body === undefined) return oauthError(413, 'invalid_request', 'request too large');
  const form = new URLSearchParams(body);
  if (form.get('grant_type') !== GRANT_TOKEN_EXCHANGE) return oauthError(400, 'unsupported_grant_type', 'token-exchange only');
  const subjectToken = form.get('subject_token') ?? '';
  if (!JWT_TYPES.includes(form.get('subject_token_type') ?? '')) return oauthError(400, 'invalid_request', 'subject_token_type must be a JWT');
  if (!ctx.opts.mintSecret) return oauthError(400, 'invalid_request', 'this relay does not mint tokens');
  let tunnel: unknown;
  try {
    tunnel = decodeJwt(subjectToken).tunnel;
  } catch {
    return oauthError(400, 'invalid_grant', 'subject_token is not a JWT');
  }
  if (typeof tunnel !== 'string') return oauthError(400, 'invalid_grant', 'subject_token names no tunnel');
  const have = parseScope(String(decodeJwt(subjectToken).scope ?? ''));
  const role = have.roles.has('use') ? 'use' : 'connect';
  const d = await authorize(subjectToken, ctx.opts.key, ctx.opts.auth, { tunnel, role }, now);
  if (d.kind === 'denied') {
    ctx.opts.audit.write(auditRecord(now, { tunnel, method: 'token-exchange', status: d.reason, http: 400 }));
    return sendJson(res, 400, { error: 'invalid_grant', error_description: d.reason }, { 'Cache-Control': 'no-store' });
  }
  const want = parseScope(form.get('scope') ?? '');
  const narrowed = narrowScope(d.grant, want);
  if (!narrowed) {
    ctx.opts.audit.write(auditRecord(now, { tunnel, subject: d.grant.subject, method: 'token-exchange', status: 'missing_scope', http: 400 }));
    return sendJson(res, 400, { error: 'invalid_scope', error_description: 'requested scope exceeds the subject token' }, { 'Cache-Control': 'no-store' });
  }
  const ttlSec = Math.max(1, Math.min(ctx.opts.exchangeTtlSec, Math.floor((d.grant.expiresAt - now) / 1000)));
  const token = await mintToken(
    ctx.opts.mintSecret,
    {
      tunnel,
      roles: [...narrowed.roles],
      tools: narrowed.tools && [...narrowed.tools],
      readOnly: narrowed.readOnly,
      ttlSec,
      subject: d.grant.subject,
      issuer: ctx.opts.auth.issuer,
      publicUrl: ctx.opts.auth.publicUrl,
    },
    now,
  );
  ctx.opts.audit.write(auditRecord(now, { tunnel, subject: d.grant.subject, method: 'token-exchange', status: 'ok', http: 200 }));
  sendJson(
    res,
    200,
    {
      access_token: token,
      issued_token_type: 'urn:ietf:params:oauth:token-type:jwt',
      token_type: 'Bearer',
      expires_in: ttlSec,
      scope: formatScope({ roles: narrowed.roles, tools: narrowed.tools, readOnly: narrowed.readOnly }),
    },
    { 'Cache-Control': 'no-store' },
  );
}
