// Regression tests for the token threats of the relay audit (issue 14): endless renewal through
// /token, tunnel enumeration before auth at /connect, and the connector credential grant.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeJwt } from 'jose';
import WebSocket from 'ws';
import { exchange, Harness, rawConnector, SECRET, STDIO_SERVER } from './harness.js';
import { mintToken } from '../../src/tunnel/tokens.js';
import { ASSERTION_TYPE, clientAssertion, GRANT_CLIENT_CREDENTIALS, issueCredential } from '../../src/relay/credentials.js';

function clientCredentials(url: string, assertion: string): Promise<Response> {
  return fetch(`${url}/token`, {
    method: 'POST',
    body: new URLSearchParams({ grant_type: GRANT_CLIENT_CREDENTIALS, client_assertion_type: ASSERTION_TYPE, client_assertion: assertion }),
  });
}

/** The status of a WebSocket upgrade to /connect. */
function upgradeStatus(ws: WebSocket): Promise<number> {
  return new Promise((r) => {
    ws.once('unexpected-response', (_q, res) => (r(res.statusCode ?? 0), ws.terminate()));
    ws.once('open', () => (r(101), ws.terminate()));
  });
}

describe('threat: endless token renewal at /token', () => {
  const h = new Harness();
  beforeAll(async () => {
    await h.start({ exchangeTtlSec: 60 });
    await h.connector('alpha', { kind: 'stdio', command: `node ${STDIO_SERVER} alpha` });
  });
  afterAll(async () => h.closeAll());

  it('refuses to exchange a token that expired, even one the tunnel would still accept within its clock tolerance', async () => {
    // Expired about 1.5 s ago: inside the relay's 5 s tolerance for tunnel requests, outside any for exchange.
    const expired = await h.token({ tunnel: 'alpha', ttlSec: 1 }, Date.now() - 2500);
    expect((decodeJwt(expired).exp as number) * 1000).toBeLessThan(Date.now());
    const res = await exchange(h.url, expired);
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: 'invalid_grant', error_description: 'expired' });
    expect(h.audit.records.at(-1)).toMatchObject({ method: 'token-exchange', status: 'expired', http: 400 });
  });

  it('never mints a token that outlives the one it was exchanged from, however long the chain', async () => {
    const first = await h.token({ tunnel: 'alpha', ttlSec: 3 });
    const firstExp = decodeJwt(first).exp as number;
    let current = first;
    for (let i = 0; i < 4; i++) {
      const res = await exchange(h.url, current);
      if (res.status !== 200) {
        expect(await res.json()).toMatchObject({ error: 'invalid_grant' });
        break;
      }
      const body = (await res.json()) as { access_token: string; expires_in: number };
      const exp = decodeJwt(body.access_token).exp as number;
      expect(exp).toBeLessThanOrEqual(firstExp);
      expect(exp - Math.floor(Date.now() / 1000)).toBeLessThanOrEqual(body.expires_in);
      current = body.access_token;
    }
    // Past the first token's expiry, nothing in the chain can be exchanged any more.
    await new Promise((r) => setTimeout(r, Math.max(0, firstExp * 1000 - Date.now() + 50)));
    expect((await exchange(h.url, current)).status).toBe(400);
  });
});

describe('threat: tunnel enumeration before authentication at /connect', () => {
  const h = new Harness();
  beforeAll(async () => h.start({ tunnels: ['demo'] }));
  afterAll(async () => h.closeAll());

  it('answers a stranger the same for a configured tunnel and one that does not exist', async () => {
    const noToken = (tunnel: string) => upgradeStatus(new WebSocket(`ws://127.0.0.1:${h.relay.port}/connect?tunnel=${tunnel}`).on('error', () => undefined));
    const configured = await noToken('demo');
    const missing = await noToken('nosuch');
    expect(configured).toBe(401);
    expect(missing).toBe(configured);
    // A holder of a valid connect token for a tunnel the relay does not serve may learn that much.
    const valid = await mintToken(SECRET, { tunnel: 'nosuch', roles: ['connect'] });
    expect(await upgradeStatus(rawConnector(h, 'nosuch', valid))).toBe(404);
    expect(h.audit.records.at(-1)).toMatchObject({ kind: 'connector', tunnel: 'nosuch', status: 'unknown_tunnel', http: 404 });
  });
});

describe('threat: a stolen or forged connector credential', () => {
  const h = new Harness();
  beforeAll(async () => h.start({ connectTokenTtlSec: 30 }));
  afterAll(async () => h.closeAll());

  const credential = (o: { expiresAtSec?: number; master?: Uint8Array } = {}) =>
    issueCredential(o.master ?? SECRET, { tunnel: 'alpha', subject: 'alpha-connector', expiresAtSec: o.expiresAtSec ?? Math.floor(Date.now() / 1000) + 3600 });

  it('mints a short-lived connect token for a valid assertion, and refuses the same assertion twice', async () => {
    const assertion = await clientAssertion(credential(), Date.now(), 'jti-1');
    const ok = await clientCredentials(h.url, assertion);
    expect(ok.status).toBe(200);
    const body = (await ok.json()) as { access_token: string; expires_in: number; scope: string };
    expect(body).toMatchObject({ scope: 'tunnel:connect', expires_in: 30 });
    expect(decodeJwt(body.access_token)).toMatchObject({ sub: 'alpha-connector', tunnel: 'alpha', scope: 'tunnel:connect' });
    const replay = await clientCredentials(h.url, assertion);
    expect(replay.status).toBe(401);
    expect(await replay.json()).toMatchObject({ error: 'invalid_client' });
    expect(h.audit.records.at(-1)).toMatchObject({ method: 'client-credentials', status: 'replayed_assertion', subject: 'alpha-connector' });
  });

  it('refuses an assertion signed with a credential another relay key issued, or an expired credential', async () => {
    const forged = credential({ master: new TextEncoder().encode('another-relay-key-another-relay-key!') });
    expect((await clientCredentials(h.url, await clientAssertion(forged, Date.now(), 'jti-2'))).status).toBe(401);
    expect(h.audit.records.at(-1)).toMatchObject({ status: 'invalid_client' });
    const old = credential({ expiresAtSec: Math.floor(Date.now() / 1000) - 1 });
    const res = await clientCredentials(h.url, await clientAssertion(old, Date.now(), 'jti-3'));
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ error: 'invalid_client', error_description: 'the credential has expired' });
  });

  it('never lets a connect token outlive its credential', async () => {
    const soon = credential({ expiresAtSec: Math.floor(Date.now() / 1000) + 10 });
    const body = (await (await clientCredentials(h.url, await clientAssertion(soon, Date.now(), 'jti-4'))).json()) as { access_token: string };
    expect(decodeJwt(body.access_token).exp).toBe(soon.expiresAtSec);
  });
});
