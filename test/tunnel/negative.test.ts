import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SignJWT, UnsecuredJWT } from 'jose';
import { Harness, INIT, rawPost as post, SECRET, STDIO_SERVER, text } from './harness.js';
import { tunnelAudience } from '../../src/relay/auth.js';

function jwt(claims: Record<string, unknown>, o: { iss?: string; aud?: string; exp?: number; nbf?: number; key?: Uint8Array } = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ tunnel: 'alpha', scope: 'tunnel:use', ...claims })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject('agent')
    .setIssuer(o.iss ?? 'tunnelsim')
    .setAudience(o.aud ?? tunnelAudience('alpha'))
    .setIssuedAt(now)
    .setNotBefore(o.nbf ?? now)
    .setExpirationTime(o.exp ?? now + 300)
    .sign(o.key ?? SECRET);
}

describe('relay refusals', () => {
  const h = new Harness();
  let mcp: string;
  beforeAll(async () => {
    await h.start({ maxFrameBytes: 4096 });
    await h.connector('alpha', { kind: 'stdio', command: `node ${STDIO_SERVER} alpha` });
    mcp = `${h.url}/t/alpha/mcp`;
  });
  afterAll(async () => h.closeAll());

  const lastAudit = () => h.audit.records[h.audit.records.length - 1];

  const cases: [string, () => Promise<string | undefined>, number, string][] = [
    ['no token', async () => undefined, 401, 'missing_token'],
    ['a token signed with another key', () => jwt({}, { key: new TextEncoder().encode('another-secret-another-secret-another') }), 401, 'bad_signature'],
    ['a wrong issuer', () => jwt({}, { iss: 'evil' }), 401, 'bad_issuer'],
    ['a wrong audience', () => jwt({}, { aud: 'https://elsewhere.example/mcp' }), 401, 'bad_audience'],
    ['an expired token', () => jwt({}, { exp: Math.floor(Date.now() / 1000) - 60 }), 401, 'expired'],
    ['a token not yet valid', () => jwt({}, { nbf: Math.floor(Date.now() / 1000) + 60 }), 401, 'not_yet_valid'],
    ['a token for another tunnel', () => jwt({ tunnel: 'beta' }), 401, 'wrong_tunnel'],
    ['alg none', async () => new UnsecuredJWT({ tunnel: 'alpha', scope: 'tunnel:use' }).setSubject('agent').setIssuer('tunnelsim').setAudience(tunnelAudience('alpha')).setExpirationTime('5m').encode(), 401, 'alg_not_allowed'],
    ['a connector token (missing scope)', () => jwt({ scope: 'tunnel:connect' }), 403, 'missing_scope'],
  ];
  for (const [name, token, status, reason] of cases) {
    it(`answers ${status} to ${name}, with WWW-Authenticate and an audit record`, async () => {
      const res = await post(mcp, await token(), INIT);
      expect(res.status).toBe(status);
      const www = res.headers.get('www-authenticate') ?? '';
      expect(www).toMatch(/^Bearer /);
      expect(www).toContain('resource_metadata="');
      if (reason !== 'missing_token') expect(www).toContain(status === 401 ? 'error="invalid_token"' : 'error="insufficient_scope"');
      expect(lastAudit()).toMatchObject({ tunnel: 'alpha', status: reason, http: status });
    });
  }

  it('serves protected-resource metadata for the tunnel', async () => {
    const res = await fetch(`${h.url}/.well-known/oauth-protected-resource/t/alpha/mcp`);
    expect(await res.json()).toMatchObject({ resource: tunnelAudience('alpha'), authorization_servers: [h.url] });
  });

  it('answers 404 for a tunnel the config does not list, to a holder of a valid token', async () => {
    const listed = await new Harness().start({ tunnels: ['alpha'] });
    try {
      const res = await post(`${listed.url}/t/nowhere/mcp`, await listed.token({ tunnel: 'nowhere' }), INIT);
      expect(res.status).toBe(404);
      expect(listed.audit.records.at(-1)).toMatchObject({ tunnel: 'nowhere', status: 'unknown_tunnel', http: 404 });
    } finally {
      await listed.closeAll();
    }
  });

  it('answers 413 to an oversized body and 400 to malformed JSON', async () => {
    const token = await h.token({ tunnel: 'alpha' });
    const big = await post(mcp, token, { ...INIT, params: { ...INIT.params, pad: 'x'.repeat(8000) } });
    expect(big.status).toBe(413);
    expect(lastAudit()).toMatchObject({ status: 'oversized', http: 413 });
    const bad = await post(mcp, token, '{"jsonrpc": "2.0", "id": 1, "method": ');
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { code: number } }).error.code).toBe(-32700);
    expect(lastAudit()).toMatchObject({ status: 'malformed_json', http: 400 });
  });

  it('lists only allowed tools and refuses a call outside the allow-list with 403', async () => {
    const token = await h.token({ tunnel: 'alpha', tools: ['echo'] });
    const client = await h.client('alpha', token);
    expect((await client.listTools()).tools.map((t) => t.name)).toEqual(['echo']);
    expect(text(await client.callTool({ name: 'echo', arguments: { text: 'ok' } }))).toBe('alpha:ok');
    await expect(client.callTool({ name: 'slow', arguments: { ms: 1 } })).rejects.toThrow(/403|not allowed/);
    expect(lastAudit()).toMatchObject({ status: 'tool_not_allowed', http: 403, tool: 'slow', method: 'tools/call' });
  });

  it('gives a read-only token only tools marked readOnlyHint', async () => {
    const client = await h.client('alpha', await h.token({ tunnel: 'alpha', readOnly: true }));
    expect((await client.listTools()).tools.map((t) => t.name)).toEqual(['echo']);
    await expect(client.callTool({ name: 'shout', arguments: { text: 'x' } })).rejects.toThrow(/403|not allowed/);
    expect(lastAudit()).toMatchObject({ status: 'read_only', http: 403, tool: 'shout' });
  });

  it('keeps a session to the subject and tunnel that opened it', async () => {
    const res = await post(mcp, await h.token({ tunnel: 'alpha' }), INIT);
    const sid = res.headers.get('mcp-session-id') as string;
    await res.body?.cancel();
    const other = await post(mcp, await h.token({ tunnel: 'alpha', subject: 'mallory' }), { jsonrpc: '2.0', id: 2, method: 'tools/list' }, {
      'mcp-session-id': sid,
      'mcp-protocol-version': '2025-06-18',
    });
    expect(other.status).toBe(404);
    expect(lastAudit()).toMatchObject({ status: 'unknown_session', subject: 'mallory' });
  });

  it('lets a read-only token call a read-only tool before anyone has listed tools', async () => {
    const fresh = await new Harness().start();
    try {
      await fresh.connector('ro', { kind: 'stdio', command: `node ${STDIO_SERVER} ro` });
      for (let i = 0; i < 50 && !fresh.relay.core.knowsTool('ro', 'echo'); i++) await new Promise((r) => setTimeout(r, 20));
      const client = await fresh.client('ro', await fresh.token({ tunnel: 'ro', readOnly: true }));
      expect(text(await client.callTool({ name: 'echo', arguments: { text: 'first' } }))).toBe('ro:first');
    } finally {
      await fresh.closeAll();
    }
  });
});
