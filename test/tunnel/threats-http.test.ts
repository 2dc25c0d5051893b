// Regression tests for the HTTP-level threats of the relay audit (issue 14): refusals that left no
// audit line, no Origin validation (DNS rebinding), and over-long request lines answered with a reset.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from 'node:net';
import { Harness, INIT, rawConnector, rawPost, SECRET, STDIO_SERVER } from './harness.js';
import { mintToken } from '../../src/tunnel/tokens.js';

/** Writes raw bytes to the relay and returns the status line's code (0 when the socket only closed). */
function rawHttp(port: number, bytes: string, opts: { destroyAfterWrite?: boolean } = {}): Promise<number> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    let got = '';
    s.on('data', (d) => (got += d.toString('latin1')));
    s.on('error', () => undefined);
    s.on('close', () => resolve(Number(/^HTTP\/1\.1 (\d{3})/.exec(got)?.[1] ?? 0)));
    s.write(bytes, () => {
      if (opts.destroyAfterWrite) setTimeout(() => s.destroy(), 20);
    });
  });
}

describe('threat: refusals that leave no audit line', () => {
  const h = new Harness();
  let mcp: string;
  let token: string;
  let sid: string;
  const session = () => ({ 'mcp-session-id': sid, 'mcp-protocol-version': '2025-06-18' });
  beforeAll(async () => {
    await h.start({ allowedOrigins: ['http://app.example'] });
    await h.connector('alpha', { kind: 'stdio', command: `node ${STDIO_SERVER} alpha` });
    mcp = `${h.url}/t/alpha/mcp`;
    token = await h.token({ tunnel: 'alpha' });
    const init = await rawPost(mcp, token, INIT);
    sid = init.headers.get('mcp-session-id') as string;
    await init.text();
  });
  afterAll(async () => h.closeAll());

  /** Runs `request` and checks it left exactly one audit line, with this status and HTTP code. */
  async function oneLine(request: () => Promise<number>, status: string, http: number | null): Promise<void> {
    const before = h.audit.records.length;
    const got = await request();
    for (let i = 0; i < 50 && h.audit.records.length === before; i++) await new Promise((r) => setTimeout(r, 10));
    if (http !== null) expect(got).toBe(http);
    expect(h.audit.records.slice(before).map((r) => r.status)).toEqual([status]);
    expect(h.audit.records.at(-1)).toMatchObject({ status, http });
  }
  const status = (p: Promise<Response>) => p.then(async (r) => (await r.body?.cancel(), r.status));

  const cases: [string, () => Promise<number>, string, number | null][] = [
    ['a PUT', () => status(fetch(mcp, { method: 'PUT', headers: { Authorization: `Bearer ${token}` } })), 'method_not_allowed', 405],
    ['a POST that does not accept SSE', () => status(rawPost(mcp, token, INIT, { Accept: 'application/json' })), 'not_acceptable', 406],
    ['a POST that is not JSON', () => status(rawPost(mcp, token, 'x', { 'Content-Type': 'text/plain' })), 'unsupported_media_type', 415],
    ['an unsupported protocol version', () => status(rawPost(mcp, token, { jsonrpc: '2.0', id: 3, method: 'tools/list' }, { ...session(), 'mcp-protocol-version': '1999-01-01' })), 'bad_protocol_version', 400],
    ['a request without a session', () => status(rawPost(mcp, token, { jsonrpc: '2.0', id: 4, method: 'tools/list' })), 'no_session', 400],
    ['a second initialize', () => status(rawPost(mcp, token, INIT, session())), 'already_initialized', 400],
    ['an unknown path', () => status(fetch(`${h.url}/nope`)), 'not_found', 404],
    ['an encoded tunnel id', () => status(rawPost(`${h.url}/t/a%2Fb/mcp`, token, INIT)), 'bad_tunnel_id', 404],
    ['an over-long tunnel id', () => status(rawPost(`${h.url}/t/${'a'.repeat(200)}/mcp`, token, INIT)), 'bad_tunnel_id', 404],
    ['a GET stream that does not accept SSE', () => status(fetch(mcp, { headers: { Authorization: `Bearer ${token}`, ...session() } })), 'not_acceptable', 406],
    ['a request the HTTP parser cannot read', () => rawHttp(h.relay.port, 'NOT HTTP AT ALL\r\n\r\n'), 'bad_http', 400],
    ['a request line past 16 KiB', () => rawHttp(h.relay.port, `GET /${'a'.repeat(20_000)} HTTP/1.1\r\nHost: x\r\n\r\n`), 'headers_too_large', 431],
    [
      'a connection reset in the middle of a body',
      () => rawHttp(h.relay.port, `POST /t/alpha/mcp HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token}\r\nContent-Type: application/json\r\nAccept: application/json, text/event-stream\r\nContent-Length: 1000\r\n\r\n{"jsonrpc"`, { destroyAfterWrite: true }),
      'connection_reset',
      null,
    ],
  ];
  for (const [name, request, s, http] of cases) {
    it(`audits ${name} (${s})`, () => oneLine(request, s, http));
  }

  it('audits a GET stream opened, a second one refused, and the DELETE that ends the session', async () => {
    const ac = new AbortController();
    const get = () => fetch(mcp, { signal: ac.signal, headers: { Authorization: `Bearer ${token}`, Accept: 'text/event-stream', ...session() } });
    await oneLine(async () => (await get()).status, 'stream_opened', 200);
    await oneLine(() => status(get()), 'stream_conflict', 409);
    ac.abort();
    await oneLine(() => status(fetch(mcp, { method: 'DELETE', headers: { Authorization: `Bearer ${token}`, ...session() } })), 'session_deleted', 200);
  });
});

describe('threat: DNS rebinding through a browser (no Origin validation)', () => {
  const h = new Harness();
  beforeAll(async () => {
    await h.start({ allowedOrigins: ['http://app.example'], auth: { publicUrl: 'https://relay.example' } });
    await h.connector('alpha', { kind: 'stdio', command: `node ${STDIO_SERVER} alpha` }, {}, { publicUrl: 'https://relay.example' });
  });
  afterAll(async () => h.closeAll());

  it('refuses a request from a foreign Origin before anything else, even with a valid token', async () => {
    const token = await h.token({ tunnel: 'alpha', publicUrl: 'https://relay.example' });
    const mcp = `${h.url}/t/alpha/mcp`;
    const evil = await rawPost(mcp, token, INIT, { Origin: 'http://evil.example' });
    expect(evil.status).toBe(403);
    expect(h.audit.records.at(-1)).toMatchObject({ status: 'bad_origin', http: 403, tunnel: 'alpha' });
    expect((await rawPost(mcp, token, INIT, { Origin: 'null' })).status).toBe(403);
    // The relay's own public origin, a configured one, and clients that send none pass.
    for (const origin of ['https://relay.example', 'http://app.example', undefined]) {
      const res = await rawPost(mcp, token, INIT, origin ? { Origin: origin } : {});
      expect(res.status, origin).toBe(200);
      await res.body?.cancel();
    }
  });

  it('refuses a connector upgrade from a foreign Origin', async () => {
    const ws = rawConnector(h, 'alpha', await mintToken(SECRET, { tunnel: 'alpha', roles: ['connect'], publicUrl: 'https://relay.example' }), { Origin: 'http://evil.example' });
    const code = await new Promise<number>((r) => ws.once('unexpected-response', (_q, res) => (r(res.statusCode ?? 0), ws.terminate())));
    expect(code).toBe(403);
    expect(h.audit.records.at(-1)).toMatchObject({ kind: 'connector', status: 'bad_origin', http: 403 });
  });
});
