// Regression tests for the session threats of the relay audit (issue 14): scope narrowing bypassed
// inside a session, a connector ending another tunnel's sessions, one subject exhausting a tunnel,
// ids that hold a slot for ever, server→client requests that hang a client without a GET stream, and
// the wrong answer while a connector is away.
import { afterEach, describe, expect, it } from 'vitest';
import { Harness, INIT, rawConnector, rawPost, SECRET, sessionOf, STDIO_SERVER, text } from './harness.js';
import { mintToken } from '../../src/tunnel/tokens.js';
// @ts-expect-error plain JS fixture
import { startHttpServer } from '../fixtures/http-server.mjs';

const mock = { kind: 'mock' as const, tools: { wait: { serviceMs: () => 3000, resultTokens: () => 10 }, quick: { serviceMs: () => 1, resultTokens: () => 10 } } };
const stdio = { kind: 'stdio' as const, command: `node ${STDIO_SERVER} alpha` };

/** Headers of a request inside session `sid`. */
const inSession = (sid: string) => ({ 'mcp-session-id': sid, 'mcp-protocol-version': '2025-06-18' });
const call = (id: number | string, name: string, args: Record<string, unknown> = {}) => ({ jsonrpc: '2.0', id, method: 'tools/call', params: { name, arguments: args } });

describe('threat: scope narrowing bypassed inside a session', () => {
  let h: Harness;
  afterEach(async () => h.closeAll());

  it('refuses a narrowed token (same subject) on a session opened by a broad one, and audits it', async () => {
    h = await new Harness().start();
    await h.connector('alpha', stdio);
    const broad = await h.client('alpha', await h.token({ tunnel: 'alpha' }));
    const sid = sessionOf(broad);
    const narrow = await h.token({ tunnel: 'alpha', tools: ['echo'] });
    const res = await rawPost(`${h.url}/t/alpha/mcp`, narrow, call(5, 'slow', { ms: 1 }), inSession(sid));
    expect(res.status).toBe(403);
    expect(h.audit.records.at(-1)).toMatchObject({ status: 'session_mismatch', http: 403, session: sid, subject: 'agent' });
    // Even a call the narrow token allows: the session is bound to the rights it was opened with.
    expect((await rawPost(`${h.url}/t/alpha/mcp`, narrow, call(6, 'echo', { text: 'x' }), inSession(sid))).status).toBe(403);
    // The broad token that opened it still works.
    expect(text(await broad.callTool({ name: 'echo', arguments: { text: 'ok' } }))).toBe('alpha:ok');
  });

  it('refuses a read-only token running a write tool on a session opened by a read-write one', async () => {
    h = await new Harness().start();
    await h.connector('alpha', stdio);
    const rw = await h.client('alpha');
    const ro = await h.token({ tunnel: 'alpha', readOnly: true });
    const res = await rawPost(`${h.url}/t/alpha/mcp`, ro, call(7, 'shout', { text: 'x' }), inSession(sessionOf(rw)));
    expect(res.status).toBe(403);
    expect(h.audit.records.at(-1)).toMatchObject({ status: 'session_mismatch', http: 403 });
  });
});

describe('threat: a connector ends another tunnel’s sessions', () => {
  let h: Harness;
  afterEach(async () => h.closeAll());

  it('ignores a closed frame for a session of another tunnel, audits it and counts it against the sender', async () => {
    h = await new Harness().start({ maxBadFrames: 3 });
    await h.connector('beta', mock);
    const victim = await h.client('beta');
    const sid = sessionOf(victim);
    const rogue = rawConnector(h, 'gamma', await mintToken(SECRET, { tunnel: 'gamma', roles: ['connect'], subject: 'mallory' }));
    await new Promise((r) => rogue.once('message', r)); // welcome
    const closed = new Promise<number>((r) => rogue.once('close', (code) => r(code)));
    for (let i = 0; i < 3; i++) rogue.send(JSON.stringify({ t: 'closed', sid }));
    expect(await closed).toBe(1008); // struck out after maxBadFrames
    expect(h.audit.records.some((r) => r.kind === 'connector' && r.tunnel === 'gamma' && r.status === 'foreign_session' && r.method === 'closed')).toBe(true);
    expect((await victim.callTool({ name: 'quick', arguments: {} })).isError).toBeFalsy();
    expect(h.relay.core.session(sid)).toMatchObject({ tunnel: 'beta' });
  });
});

describe('threat: one subject exhausts a tunnel; ids that are never answered', () => {
  let h: Harness;
  afterEach(async () => h.closeAll());

  it('caps the sessions one subject may open, while another subject still gets in', async () => {
    h = await new Harness().start({ maxSessionsPerSubject: 2 });
    await h.connector('alpha', mock);
    await h.client('alpha');
    await h.client('alpha');
    await expect(h.client('alpha')).rejects.toThrow(/429|too many sessions/);
    expect(h.audit.records.at(-1)).toMatchObject({ method: 'initialize', status: 'subject_session_limit', http: 429, subject: 'agent' });
    const other = await h.client('alpha', await h.token({ tunnel: 'alpha', subject: 'bob' }));
    expect((await other.callTool({ name: 'quick', arguments: {} })).isError).toBeFalsy();
    // Bounded bookkeeping: only subjects with something open are remembered.
    expect(h.relay.core.subjectCount).toBe(2);
  });

  it('caps the requests one subject may have in flight, while another subject still gets through', async () => {
    h = await new Harness().start({ maxRequestsPerSubject: 2 });
    await h.connector('alpha', mock);
    const greedy = await h.client('alpha');
    const held = [greedy.callTool({ name: 'wait', arguments: {} }).catch(() => undefined), greedy.callTool({ name: 'wait', arguments: {} }).catch(() => undefined)];
    for (let i = 0; i < 100 && h.relay.core.inFlight('alpha') < 2; i++) await new Promise((r) => setTimeout(r, 10));
    const res = await rawPost(`${h.url}/t/alpha/mcp`, await h.token({ tunnel: 'alpha' }), call(9, 'quick'), inSession(sessionOf(greedy)));
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('1');
    expect(h.audit.records.at(-1)).toMatchObject({ status: 'subject_request_limit', http: 429, requestId: 9 });
    const other = await h.client('alpha', await h.token({ tunnel: 'alpha', subject: 'bob' }));
    expect((await other.callTool({ name: 'quick', arguments: {} })).isError).toBeFalsy();
    await greedy.close();
    await Promise.all(held);
  });

  it('refuses request ids the relay could not carry unchanged (1.5, 1e400, 2^53 + 1, an over-long string)', async () => {
    h = await new Harness().start();
    await h.connector('alpha', mock);
    const client = await h.client('alpha');
    const token = await h.token({ tunnel: 'alpha' });
    const body = (id: string) => `{"jsonrpc":"2.0","id":${id},"method":"tools/call","params":{"name":"quick","arguments":{}}}`;
    for (const id of ['1.5', '1e400', '9007199254740993', '-0', JSON.stringify('x'.repeat(257))]) {
      const res = await rawPost(`${h.url}/t/alpha/mcp`, token, body(id), inSession(sessionOf(client)));
      expect(res.status, id).toBe(400);
      expect(h.audit.records.at(-1)).toMatchObject({ status: 'bad_id', http: 400, method: 'tools/call' });
    }
    expect(h.relay.core.inFlight('alpha')).toBe(0);
  });

  it('fails a request that outlives the relay deadline, frees its slot and cancels it upstream', async () => {
    h = await new Harness().start({ requestTimeoutMs: 200 });
    await h.connector('alpha', mock);
    const client = await h.client('alpha');
    const r = await client.callTool({ name: 'wait', arguments: {} }).then(
      () => 'answered',
      (e: Error) => e.message,
    );
    expect(r).toMatch(/deadline/);
    expect(h.relay.core.inFlight('alpha')).toBe(0);
    expect(h.audit.records.find((a) => a.tool === 'wait')).toMatchObject({ status: 'deadline' });
    expect((await client.callTool({ name: 'quick', arguments: {} })).isError).toBeFalsy();
  });
});

describe('threat: a server→client request hangs a client that opened no GET stream', () => {
  let h: Harness;
  afterEach(async () => h.closeAll());

  /** Opens a raw session that can sample; returns its id. */
  async function samplingSession(url: string, token: string): Promise<string> {
    const init = await rawPost(url, token, { ...INIT, params: { ...INIT.params, capabilities: { sampling: {} } } });
    const sid = init.headers.get('mcp-session-id') as string;
    await init.text();
    await (await rawPost(url, token, { jsonrpc: '2.0', method: 'notifications/initialized' }, inSession(sid))).text();
    return sid;
  }

  /** Calls `ask` on a raw POST stream, answers the sampling request that must arrive on it, returns the call's result. */
  async function askOnPostStream(url: string, token: string, sid: string, tool = 'ask'): Promise<unknown> {
    const res = await rawPost(url, token, call('ask-1', tool, { text: 'q' }), inSession(sid));
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    let buf = '';
    const messages = () => buf.split('\n').filter((l) => l.startsWith('data: ')).map((l) => JSON.parse(l.slice(6)));
    let sampling: any;
    while (!sampling) {
      const { value, done } = await reader.read();
      if (done) throw new Error('stream ended before the sampling request');
      buf += value;
      sampling = messages().find((m) => m.method === 'sampling/createMessage');
    }
    const answer = { jsonrpc: '2.0', id: sampling.id, result: { role: 'assistant', model: 'raw', content: { type: 'text', text: 'pong' } } };
    expect((await rawPost(url, token, answer, inSession(sid))).status).toBe(202);
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buf += value;
    }
    return messages().find((m) => m.id === 'ask-1');
  }

  it('carries a sampling request made during a call on that call’s POST stream (stdio upstream, no GET stream)', async () => {
    h = await new Harness().start();
    await h.connector('alpha', stdio);
    const token = await h.token({ tunnel: 'alpha' });
    const url = `${h.url}/t/alpha/mcp`;
    // No GET stream: the only way to reach this client is the POST stream of its call.
    const sid = await samplingSession(url, token);
    expect(await askOnPostStream(url, token, sid)).toMatchObject({ result: { content: [{ text: 'sampled pong' }] } });
  });

  it('puts a sampling request on its call’s stream, as the HTTP upstream did, even when a GET stream is open', async () => {
    h = await new Harness().start();
    const upstream = await startHttpServer('beta');
    h.onClose(() => upstream.close());
    await h.connector('beta', { kind: 'http', url: upstream.url });
    const token = await h.token({ tunnel: 'beta' });
    const url = `${h.url}/t/beta/mcp`;
    const sid = await samplingSession(url, token);
    const ac = new AbortController();
    const get = await fetch(url, { signal: ac.signal, headers: { Authorization: `Bearer ${token}`, Accept: 'text/event-stream', ...inSession(sid) } });
    expect(get.status).toBe(200);
    let onGet = '';
    void get.body!.pipeThrough(new TextDecoderStream()).pipeTo(new WritableStream({ write: (c) => void (onGet += c) })).catch(() => undefined);
    // `ask_here` sends its request in the course of the call, so the upstream puts it on the call's stream.
    expect(await askOnPostStream(url, token, sid, 'ask_here')).toMatchObject({ result: { content: [{ text: 'sampled pong' }] } });
    expect(onGet).not.toContain('sampling/createMessage');
    ac.abort();
  });
});

describe('threat: a dropped connector looks like a tunnel that never existed', () => {
  let h: Harness;
  afterEach(async () => h.closeAll());

  it('answers initialize with 503 and Retry-After while the tunnel’s connector is away', async () => {
    h = await new Harness().start({ retryAfterSec: 3 });
    const c = await h.connector('alpha', mock);
    await c.close();
    for (let i = 0; i < 100 && h.relay.stats().connectors > 0; i++) await new Promise((r) => setTimeout(r, 10));
    const res = await rawPost(`${h.url}/t/alpha/mcp`, await h.token({ tunnel: 'alpha' }), INIT);
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('3');
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/offline/);
    expect(h.audit.records.at(-1)).toMatchObject({ status: 'tunnel_offline', http: 503 });
  });
});
