import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { Harness, rawConnector, SECRET, STDIO_SERVER, text } from './harness.js';
import { mintToken } from '../../src/tunnel/tokens.js';
import { Connector, type ConnectorState } from '../../src/tunnel/connector.js';
import { upstreamFactory } from '../../src/tunnel/upstream.js';

const mock = { kind: 'mock' as const, tools: { wait: { serviceMs: () => 3000, resultTokens: () => 10 }, quick: { serviceMs: () => 1, resultTokens: () => 10 } } };

describe('relay faults and limits', () => {
  let h: Harness;
  afterEach(async () => h.closeAll());

  it('cancels a call end to end and frees its slot', async () => {
    h = await new Harness().start();
    await h.connector('alpha', { kind: 'stdio', command: `node ${STDIO_SERVER} alpha` });
    const client = await h.client('alpha');
    const ac = new AbortController();
    const pending = client.callTool({ name: 'slow', arguments: { ms: 5000 } }, undefined, { signal: ac.signal });
    await new Promise((r) => setTimeout(r, 100));
    ac.abort('user gave up');
    await expect(pending).rejects.toThrow();
    await new Promise((r) => setTimeout(r, 50));
    expect(h.relay.core.inFlight('alpha')).toBe(0);
    expect(h.audit.records.some((r) => r.status === 'cancelled' && r.tool === 'slow')).toBe(true);
    expect(text(await client.callTool({ name: 'echo', arguments: { text: 'after' } }))).toBe('alpha:after');
  });

  it('fails an in-flight call at once when the connector dies, not at the heartbeat', async () => {
    h = await new Harness().start();
    const c = await h.connector('alpha', mock);
    const client = await h.client('alpha');
    const started = Date.now();
    const pending = client.callTool({ name: 'wait', arguments: {} });
    await new Promise((r) => setTimeout(r, 100));
    (c as unknown as { ws: WebSocket }).ws.terminate(); // as abrupt as a killed process: no close frame
    await c.close();
    const r = await pending.then(
      () => 'answered',
      (e: Error) => e.message,
    );
    expect(r).toMatch(/connector disconnected/);
    // The drop is noticed from the socket, at once: the fallback, two missed 15 s heartbeats, would
    // take 30 s. A bound far below that proves which one fired, on a busy machine too.
    expect(Date.now() - started).toBeLessThan(5000);
    expect(h.audit.records.some((a) => a.status === 'connector_lost' && a.tool === 'wait')).toBe(true);
  });

  it('brings the connector back within its backoff after a relay restart', async () => {
    h = await new Harness().start();
    const port = h.relay.port;
    const states: ConnectorState[] = [];
    await h.connector('alpha', mock, { backoffBaseMs: 100, backoffMaxMs: 400, onState: (s) => states.push(s) });
    await h.relay.close();
    await new Promise((r) => setTimeout(r, 50));
    await h.start({ port });
    for (let i = 0; i < 500 && h.relay.stats().connectors === 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(h.relay.stats().connectors).toBe(1);
    // Every redial waited within the backoff's bounds (the connector reports each wait it chose);
    // the wall time it took also counts the machine's own delays, so it is not what is checked.
    const waits = states.flatMap((s) => ('retryInMs' in s ? [s.retryInMs] : []));
    expect(waits.length).toBeGreaterThan(0);
    for (const w of waits) expect(w).toBeLessThanOrEqual(400);
    const client = await h.client('alpha');
    expect((await client.callTool({ name: 'quick', arguments: {} })).isError).toBeFalsy();
    expect(states.some((s) => s.kind === 'disconnected')).toBe(true);
  });

  it('answers 429 with Retry-After when the tunnel is full', async () => {
    h = await new Harness().start({ maxInFlightPerTunnel: 1, queue: 0, retryAfterSec: 2 });
    await h.connector('alpha', mock);
    const a = await h.client('alpha');
    const b = await h.client('alpha');
    const sid = (b.transport as StreamableHTTPClientTransport).sessionId as string;
    const busy = a.callTool({ name: 'wait', arguments: {} }).catch(() => undefined);
    await new Promise((r) => setTimeout(r, 50));
    const res = await fetch(`${h.url}/t/alpha/mcp`, {
      method: 'POST',
      headers: {
        Authorization: `Bearer ${await h.token({ tunnel: 'alpha' })}`,
        'Content-Type': 'application/json',
        Accept: 'application/json, text/event-stream',
        'mcp-session-id': sid,
        'mcp-protocol-version': '2025-06-18',
      },
      body: JSON.stringify({ jsonrpc: '2.0', id: 77, method: 'tools/call', params: { name: 'quick', arguments: {} } }),
    });
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('2');
    expect(h.audit.records.at(-1)).toMatchObject({ status: 'overloaded', http: 429, requestId: 77 });
    await a.close();
    await busy;
  });

  it('survives 10,000 malformed frames with bounded memory while other tunnels keep working', async () => {
    h = await new Harness().start({ maxBadFrames: 1_000_000 });
    await h.connector('alpha', mock);
    const client = await h.client('alpha');
    const token = await mintToken(SECRET, { tunnel: 'rogue', roles: ['connect'] });
    const rogue = rawConnector(h, 'rogue', token);
    await new Promise((r) => rogue.once('message', r)); // welcome
    const before = process.memoryUsage().heapUsed;
    const garbage = ['{', 'null', '[]', '{"t":"msg"}', '{"t":"msg","sid":5,"body":1}', 'x'.repeat(2000), '{"t":"open","sid":"s"}'];
    const calls: Promise<unknown>[] = [];
    for (let i = 0; i < 10_000; i++) {
      rogue.send(garbage[i % garbage.length]);
      if (i % 1000 === 0) calls.push(client.callTool({ name: 'quick', arguments: {} }));
    }
    await new Promise<void>((r) => rogue.send('{', () => r()));
    const results = await Promise.all(calls);
    expect(results.every((x) => !(x as { isError?: boolean }).isError)).toBe(true);
    await new Promise((r) => setTimeout(r, 100));
    const healthy = await fetch(`${h.url}/healthz`);
    expect(healthy.status).toBe(200);
    expect(process.memoryUsage().heapUsed - before).toBeLessThan(64 << 20);
    rogue.terminate();
  });

  it('drops a connector that floods malformed frames past maxBadFrames, with an audit record', async () => {
    h = await new Harness().start({ maxBadFrames: 50 });
    const token = await mintToken(SECRET, { tunnel: 'rogue', roles: ['connect'] });
    const rogue = rawConnector(h, 'rogue', token);
    await new Promise((r) => rogue.once('message', r));
    const closed = new Promise<number>((r) => rogue.once('close', (code) => r(code)));
    for (let i = 0; i < 10_000 && rogue.readyState === WebSocket.OPEN; i++) rogue.send('not json');
    expect(await closed).toBe(1008);
    expect(h.audit.records.at(-1)).toMatchObject({ kind: 'connector', tunnel: 'rogue', status: 'malformed_json' });
  });

  it('re-authenticates a connector before its token expires and keeps serving', async () => {
    h = await new Harness().start({ auth: { clockToleranceSec: 0 } });
    const states: ConnectorState[] = [];
    const c = new Connector({
      relay: h.url,
      tunnel: 'alpha',
      // Each token is new (its own jti); a renewal must keep the subject.
      token: () => mintToken(SECRET, { tunnel: 'alpha', roles: ['connect'], ttlSec: 2, subject: 'conn' }),
      upstream: upstreamFactory(mock),
      reauthBeforeMs: 1200,
      onState: (s) => states.push(s),
    });
    h.onClose(() => c.close());
    c.start();
    await c.ready();
    await new Promise((r) => setTimeout(r, 2600));
    expect(states.filter((s) => s.kind === 'reauthenticated').length).toBeGreaterThanOrEqual(1);
    expect(states.some((s) => s.kind === 'disconnected')).toBe(false);
    const client = await h.client('alpha');
    expect((await client.callTool({ name: 'quick', arguments: {} })).isError).toBeFalsy();
  });

  it('refuses a connector token on the agent side and an agent token on the connector side', async () => {
    h = await new Harness().start();
    const useToken = await mintToken(SECRET, { tunnel: 'alpha', roles: ['use'] });
    const ws = rawConnector(h, 'alpha', useToken);
    ws.on('error', () => undefined);
    const status = await new Promise<number>((r) => ws.once('unexpected-response', (_q, res) => r(res.statusCode ?? 0)));
    ws.terminate();
    expect(status).toBe(403);
    expect(h.audit.records.at(-1)).toMatchObject({ kind: 'connector', status: 'missing_scope', http: 403 });
  });

  it('drains on request: in-flight calls finish, new ones get 503', async () => {
    h = await new Harness().start();
    await h.connector('alpha', { kind: 'mock', tools: { mid: { serviceMs: () => 300, resultTokens: () => 5 } } });
    const client = await h.client('alpha');
    const inFlight = client.callTool({ name: 'mid', arguments: {} });
    await new Promise((r) => setTimeout(r, 50));
    const drained = h.relay.drain(5000);
    const late = await fetch(`${h.url}/t/alpha/mcp`, { method: 'POST', headers: { Authorization: `Bearer ${await h.token({ tunnel: 'alpha' })}` }, body: '{}' });
    expect(late.status).toBe(503);
    expect((await inFlight).isError).toBeFalsy();
    await drained;
  });

  it('frees the slot and cancels upstream when the agent drops a stream before its answer', async () => {
    h = await new Harness().start();
    await h.connector('alpha', mock);
    const client = await h.client('alpha');
    const sid = (client.transport as StreamableHTTPClientTransport).sessionId as string;
    const ac = new AbortController();
    const res = await fetch(`${h.url}/t/alpha/mcp`, {
      method: 'POST',
      signal: ac.signal,
      headers: {
        Authorization: `Bearer ${await h.token({ tunnel: 'alpha' })}`,
        'Content-Type': 'application/json',
        Accept: 'application/json, text/event-stream',
        'mcp-session-id': sid,
        'mcp-protocol-version': '2025-06-18',
      },
      body: JSON.stringify({ jsonrpc: '2.0', id: 'gone-1', method: 'tools/call', params: { name: 'wait', arguments: {} } }),
    });
    expect(res.status).toBe(200);
    expect(h.relay.core.inFlight('alpha')).toBe(1);
    ac.abort();
    for (let i = 0; i < 50 && h.relay.core.inFlight('alpha') > 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(h.relay.core.inFlight('alpha')).toBe(0);
    expect(h.audit.records.at(-1)).toMatchObject({ status: 'client_gone', requestId: 'gone-1', tool: 'wait' });
    expect((await client.callTool({ name: 'quick', arguments: {} })).isError).toBeFalsy();
  });

  it('closes a session left idle by a vanished agent, and its upstream session with it', async () => {
    h = await new Harness().start({ heartbeatMs: 20, sessionIdleMs: 100 });
    await h.connector('alpha', mock);
    const client = await h.client('alpha');
    await client.callTool({ name: 'quick', arguments: {} });
    // The SDK client holds its GET stream open; dropping the transport's streams without DELETE
    // is what a crashed agent looks like.
    expect(h.relay.stats().sessions).toBe(1);
    await (client.transport as StreamableHTTPClientTransport).close();
    for (let i = 0; i < 50 && h.relay.stats().sessions > 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(h.relay.stats().sessions).toBe(0);
  });

  it('caps sessions per tunnel with 429 on initialize', async () => {
    h = await new Harness().start({ maxSessionsPerTunnel: 2 });
    await h.connector('alpha', mock);
    await h.client('alpha');
    await h.client('alpha');
    await expect(h.client('alpha')).rejects.toThrow(/429|too many sessions/);
    expect(h.audit.records.at(-1)).toMatchObject({ method: 'initialize', status: 'overloaded', http: 429 });
  });

  it('refuses tunnel ids that are not plain names', async () => {
    h = await new Harness().start();
    const res = await fetch(`${h.url}/t/a%0d%0ab/mcp`, { method: 'POST', body: '{}' });
    expect(res.status).toBe(404);
  });
});
