/**
 * A connector's token source from its long-lived credential: every call signs a fresh one-minute
 * client assertion (the secret never leaves the process) and trades it at the relay's `/token`
 * (OAuth 2.0 client credentials) for a short-lived connect token. The connector calls it on every
 * dial and before each token expires, so the tunnel stays up for as long as the credential lives.
 */
import { randomUUID } from 'node:crypto';
import { clientAssertion, ASSERTION_TYPE, GRANT_CLIENT_CREDENTIALS, type ConnectorCredential } from '../relay/credentials.js';

/** Why the relay would not mint: `status` 401 means the credential itself was refused. */
export class TokenRefused extends Error {
  constructor(
    readonly status: number,
    readonly error: string,
    description: string,
  ) {
    super(`relay refused the credential (HTTP ${status} ${error}: ${description})`);
  }
}

export function credentialTokenSource(relay: string, credential: ConnectorCredential): () => Promise<string> {
  const url = `${relay.replace(/^ws/, 'http').replace(/\/+$/, '')}/token`;
  return async () => {
    const assertion = await clientAssertion(credential, Date.now(), randomUUID());
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: GRANT_CLIENT_CREDENTIALS, client_assertion_type: ASSERTION_TYPE, client_assertion: assertion, scope: 'tunnel:connect' }),
    });
    const body = (await res.json().catch(() => ({}))) as { access_token?: unknown; error?: unknown; error_description?: unknown };
    if (!res.ok || typeof body.access_token !== 'string') throw new TokenRefused(res.status, String(body.error ?? 'error'), String(body.error_description ?? ''));
    return body.access_token;
  };
}
