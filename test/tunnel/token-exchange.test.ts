import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeJwt } from 'jose';
import { exchange, Harness, STDIO_SERVER, text } from './harness.js';

describe('token exchange (RFC 8693)', () => {
  const h = new Harness();
  beforeAll(async () => {
    await h.start({ exchangeTtlSec: 60 });
    await h.connector('alpha', { kind: 'stdio', command: `node ${STDIO_SERVER} alpha` });
  });
  afterAll(async () => h.closeAll());

  it('mints a narrower, shorter-lived token that the tunnel enforces', async () => {
    const broad = await h.token({ tunnel: 'alpha', ttlSec: 3600 });
    const res = await exchange(h.url, broad, 'tunnel:use tool:echo');
    expect(res.status).toBe(200);
    const body = (await res.json()) as { access_token: string; expires_in: number; scope: string; issued_token_type: string };
    expect(body).toMatchObject({ scope: 'tunnel:use tool:echo', issued_token_type: 'urn:ietf:params:oauth:token-type:jwt', expires_in: 60 });
    const claims = decodeJwt(body.access_token);
    expect(claims.sub).toBe('agent');
    expect((claims.exp as number) - (claims.iat as number)).toBe(60);
    const client = await h.client('alpha', body.access_token);
    expect((await client.listTools()).tools.map((t) => t.name)).toEqual(['echo']);
    expect(text(await client.callTool({ name: 'echo', arguments: { text: 'x' } }))).toBe('alpha:x');
  });

  it('refuses to widen a token', async () => {
    const narrow = await h.token({ tunnel: 'alpha', tools: ['echo'] });
    const res = await exchange(h.url, narrow, 'tunnel:use tool:slow');
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: 'invalid_scope' });
    const toConnect = await exchange(h.url, narrow, 'tunnel:connect');
    expect(toConnect.status).toBe(400);
  });

  it('refuses an invalid subject token and another grant type', async () => {
    const res = await exchange(h.url, 'not-a-jwt', 'tunnel:use');
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: 'invalid_grant' });
    const other = await fetch(`${h.url}/token`, { method: 'POST', body: new URLSearchParams({ grant_type: 'password' }) });
    expect(await other.json()).toMatchObject({ error: 'unsupported_grant_type' });
  });
});
