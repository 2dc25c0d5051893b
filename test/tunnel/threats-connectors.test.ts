// Regression tests for the connector threats of the relay audit (issue 14): one over-size result
// taking a whole tunnel down, connector takeover and flapping, a signing key readable on the wire,
// and tunnel ids no agent can reach.
import { afterEach, describe, expect, it } from 'vitest';
import { createHmac } from 'node:crypto';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Harness, rawConnector, SECRET, sessionOf, STDIO_SERVER, text } from './harness.js';
import { Connector, type ConnectorState } from '../../src/tunnel/connector.js';
import { upstreamFactory } from '../../src/tunnel/upstream.js';
import { mintToken } from '../../src/tunnel/tokens.js';
import { issueCredential } from '../../src/relay/credentials.js';
import { RELAY_ERROR } from '../../src/relay/jsonrpc.js';

const until = async (ok: () => boolean, tries = 200) => {
  for (let i = 0; i < tries && !ok(); i++) await new Promise((r) => setTimeout(r, 10));
};

describe('threat: one over-size result takes the whole tunnel down', () => {
  let h: Harness;
  afterEach(async () => h.closeAll());

  it('fails only the request whose result does not fit a frame, with a clear JSON-RPC error', async () => {
    h = await new Harness().start({ maxFrameBytes: 64 * 1024 });
    const tools = {
      big: { serviceMs: () => 1, resultTokens: () => 40_000 }, // about 160 kB of text
      mid: { serviceMs: () => 300, resultTokens: () => 10 },
    };
    await h.connector('alpha', { kind: 'mock', tools });
    const bystander = await h.client('alpha');
    const victim = await h.client('alpha');
    const inFlight = bystander.callTool({ name: 'mid', arguments: {} });
    await new Promise((r) => setTimeout(r, 50));
    const err = await victim.callTool({ name: 'big', arguments: {} }).then(
      () => undefined,
      (e: { code?: number; message: string }) => e,
    );
    expect(err?.code).toBe(RELAY_ERROR.resultTooLarge);
    expect(err?.message).toMatch(/too large.*65536 bytes/);
    expect((await inFlight).isError).toBeFalsy();
    expect(h.relay.stats().connectors).toBe(1);
    expect(h.audit.records.some((r) => r.status === 'connector_lost')).toBe(false);
    expect(h.audit.records.find((r) => r.tool === 'big')).toMatchObject({ status: 'result_too_large' });
    // Both sessions live on.
    expect((await victim.callTool({ name: 'mid', arguments: {} })).isError).toBeFalsy();
  });
});

describe('threat: connector takeover and flapping', () => {
  let h: Harness;
  afterEach(async () => h.closeAll());

  async function second(subject: string, states: ConnectorState[]): Promise<Connector> {
    const token = await mintToken(SECRET, { tunnel: 'alpha', roles: ['connect'], subject });
    const c = new Connector({ relay: h.url, tunnel: 'alpha', token: () => token, upstream: upstreamFactory({ kind: 'stdio', command: `node ${STDIO_SERVER} intruder` }), backoffBaseMs: 20, backoffMaxMs: 80, onState: (s) => states.push(s) });
    h.onClose(() => c.close());
    c.start();
    return c;
  }

  it('keeps the tunnel with the connector that holds it: another, of any subject, is refused with 409 and never displaces it', async () => {
    h = await new Harness().start();
    await h.connector('alpha', { kind: 'stdio', command: `node ${STDIO_SERVER} alpha` });
    const client = await h.client('alpha');
    const states: ConnectorState[] = [];
    await second('mallory', states);
    await second('conn-alpha', states); // even the holder's own subject: a twin must not flap with it
    await until(() => states.filter((s) => s.kind === 'refused').length >= 10);
    expect(states.filter((s) => s.kind === 'refused').length).toBeGreaterThanOrEqual(10);
    expect(states.every((s) => s.kind === 'refused' && s.status === 409)).toBe(true);
    expect(h.audit.records.filter((r) => r.kind === 'connector' && r.method === 'connect' && r.status === 'ok')).toHaveLength(1);
    expect(h.audit.records.filter((r) => r.status === 'tunnel_taken').length).toBeGreaterThanOrEqual(10);
    expect(text(await client.callTool({ name: 'echo', arguments: { text: 'still' } }))).toBe('alpha:still');
    expect(h.relay.core.session(sessionOf(client))).toBeDefined();
  });

  it('hands the tunnel to a waiting connector once the holder goes away', async () => {
    h = await new Harness().start();
    const holder = await h.connector('alpha', { kind: 'stdio', command: `node ${STDIO_SERVER} alpha` });
    const states: ConnectorState[] = [];
    const standby = await second('standby', states);
    await until(() => states.some((s) => s.kind === 'refused'));
    await holder.close();
    await standby.ready();
    const client = await h.client('alpha');
    expect(text(await client.callTool({ name: 'echo', arguments: { text: 'x' } }))).toBe('intruder:x');
  });
});

/** A TCP relay between connector and relay that keeps every byte the relay sent. */
async function tap(target: number): Promise<{ port: number; fromRelay: () => string; close: () => Promise<void> }> {
  const chunks: Buffer[] = [];
  const sockets: Socket[] = [];
  const server: Server = createServer((down) => {
    const up = connect(target, '127.0.0.1');
    sockets.push(down, up);
    down.pipe(up);
    up.on('data', (c: Buffer) => chunks.push(c));
    up.pipe(down);
    const end = () => (down.destroy(), up.destroy());
    down.on('error', end).on('close', end);
    up.on('error', end).on('close', end);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    port: (server.address() as AddressInfo).port,
    fromRelay: () => Buffer.concat(chunks).toString('latin1'),
    close: () => new Promise((r) => (sockets.forEach((s) => s.destroy()), server.close(() => r()))),
  };
}

describe('threat: the request-signing key travels on the socket it protects', () => {
  let h: Harness;
  afterEach(async () => h.closeAll());

  it('sends nothing from which an observer of the whole connection could sign a frame', async () => {
    h = await new Harness().start();
    const wire = await tap(h.relay.port);
    h.onClose(() => wire.close());
    const token = await mintToken(SECRET, { tunnel: 'alpha', roles: ['connect'] });
    const c = new Connector({ relay: `http://127.0.0.1:${wire.port}`, tunnel: 'alpha', token: () => token, upstream: upstreamFactory({ kind: 'stdio', command: `node ${STDIO_SERVER} alpha` }) });
    h.onClose(() => c.close());
    c.start();
    await c.ready();
    const client = await h.client('alpha');
    expect(text(await client.callTool({ name: 'echo', arguments: { text: 'seen' } }))).toBe('alpha:seen');
    const bytes = wire.fromRelay();
    const frames = [...bytes.matchAll(/\{"t":"msg","sid":"([^"]+)","ts":(\d+),"nonce":"([^"]+)","sig":"([^"]+)","body":("(?:[^"\\]|\\.)*")\}/g)];
    expect(frames.length).toBeGreaterThan(0); // the observer saw signed frames
    const candidates = new Set([...bytes.matchAll(/[A-Za-z0-9_-]{43,}/g)].map((m) => m[0]));
    for (const f of frames) {
      const [, sid, ts, nonce, sig, bodyJson] = f;
      const body = JSON.parse(bodyJson) as string;
      for (const k of candidates) {
        const key = Buffer.from(k.slice(0, 43), 'base64url');
        const id = (JSON.parse(body) as { id?: unknown }).id;
        const forms = [`${ts}.${nonce}.${body}`, `v1\0alpha\0${sid}\0${id === undefined ? '' : JSON.stringify(id)}\0${ts}\0${nonce}\0${body}`];
        for (const m of forms) expect(createHmac('sha256', key).update(m).digest('base64url')).not.toBe(sig);
      }
    }
  });

  it('keys signing with the connector’s credential, so a connector holding it serves end to end', async () => {
    h = await new Harness().start({ connectTokenTtlSec: 60 });
    const credential = issueCredential(SECRET, { tunnel: 'alpha', subject: 'alpha-connector', expiresAtSec: Math.floor(Date.now() / 1000) + 3600 });
    const c = new Connector({ relay: h.url, tunnel: 'alpha', credential, upstream: upstreamFactory({ kind: 'stdio', command: `node ${STDIO_SERVER} alpha` }), audit: h.connectorAudit });
    h.onClose(() => c.close());
    c.start();
    await c.ready();
    const client = await h.client('alpha');
    expect(text(await client.callTool({ name: 'echo', arguments: { text: 'cred' } }))).toBe('alpha:cred');
    expect(h.connectorAudit.records).toEqual([]); // no frame failed its MAC
    expect(h.audit.records.find((r) => r.method === 'connect')).toMatchObject({ subject: 'alpha-connector', status: 'ok' });
  });
});

describe('threat: tunnel ids a connector can hold but no agent can reach', () => {
  let h: Harness;
  afterEach(async () => h.closeAll());

  it('refuses `.` and `..` for connectors and agents alike, with an audit line', async () => {
    h = await new Harness().start();
    for (const id of ['.', '..', '-x', 'a'.repeat(129)]) {
      const ws = rawConnector(h, id, await mintToken(SECRET, { tunnel: id, roles: ['connect'] }));
      const status = await new Promise<number>((r) => {
        ws.once('unexpected-response', (_q, res) => (r(res.statusCode ?? 0), ws.terminate()));
        ws.once('open', () => (r(101), ws.terminate()));
      });
      expect(status, id).toBe(400);
      expect(h.audit.records.at(-1)).toMatchObject({ kind: 'connector', status: 'bad_tunnel_id', http: 400, tunnel: null });
    }
    // Sent as written (fetch would normalise the dots away).
    const status = await new Promise<number>((r) => request({ host: '127.0.0.1', port: h.relay.port, path: '/t/../mcp', method: 'POST' }, (res) => (res.resume(), r(res.statusCode ?? 0))).end('{}'));
    expect(status).toBe(404);
    expect(h.audit.records.at(-1)).toMatchObject({ status: 'bad_tunnel_id', http: 404 });
  });
});
