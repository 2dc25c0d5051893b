import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer, type WebSocket } from 'ws';
import type { AddressInfo } from 'node:net';
import type { IncomingMessage } from 'node:http';
import { Connector } from '../../src/tunnel/connector.js';
import { MemoryAuditSink } from '../../src/tunnel/audit-file.js';
import { upstreamFactory } from '../../src/tunnel/upstream.js';
import { KEY_SHARE_HEADER, newKeyShare, sharedSecret } from '../../src/tunnel/key-agreement.js';
import { deriveSigningKey, signFrame, type FramePlace } from '../../src/relay/signing.js';
import { issueCredential } from '../../src/relay/credentials.js';

// A stand-in relay that speaks the frame protocol directly, so the test can send frames a real relay
// never would: bad MACs, old timestamps, repeated nonces, frames moved to another session. It runs
// the key agreement as the relay does.
async function fakeRelay(): Promise<{ url: string; peer: Promise<{ ws: WebSocket; key: Uint8Array }>; close: () => Promise<void> }> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise((r) => wss.once('listening', r));
  const peer = new Promise<{ ws: WebSocket; key: Uint8Array }>((r) =>
    wss.once('connection', (ws: WebSocket, req: IncomingMessage) => {
      const own = newKeyShare();
      const shared = sharedSecret(own.privateKey, String(req.headers[KEY_SHARE_HEADER])) as Uint8Array;
      const salt = Buffer.alloc(16, 5);
      ws.send(JSON.stringify({ t: 'welcome', tunnel: 't1', share: own.share, salt: salt.toString('base64url'), credential: false, maxFrameBytes: 1 << 20 }));
      r({ ws, key: deriveSigningKey({ shared, salt, tunnel: 't1' }) });
    }),
  );
  return {
    url: `ws://127.0.0.1:${(wss.address() as AddressInfo).port}`,
    peer,
    close: () => new Promise((r) => wss.close(() => r())),
  };
}

const CALL = JSON.stringify({ jsonrpc: '2.0', id: 9, method: 'tools/list' });

describe('Connector signature checks', () => {
  const cleanups: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  async function setup() {
    const relay = await fakeRelay();
    const audit = new MemoryAuditSink();
    const tools = { ping: { serviceMs: () => 0, resultTokens: () => 1 } };
    const c = new Connector({ relay: relay.url, tunnel: 't1', token: () => 'x.y.z', upstream: upstreamFactory({ kind: 'mock', tools }), audit });
    c.start();
    cleanups.push(() => relay.close(), () => c.close());
    const { ws, key } = await relay.peer;
    const frames: any[] = [];
    // The connector's tool catalog is not what these tests are about.
    ws.on('message', (d) => frames.push(...d.toString().split('\n').map((f) => JSON.parse(f)).filter((f) => f.t !== 'catalog')));
    await c.ready();
    ws.send(JSON.stringify({ t: 'open', sid: 's1' }));
    ws.send(JSON.stringify({ t: 'open', sid: 's2' }));
    const send = (ts: number, nonce: string, o: { sig?: string; signedFor?: FramePlace; sid?: string } = {}) => {
      const sid = o.sid ?? 's1';
      const sig = o.sig ?? signFrame(key, o.signedFor ?? { tunnel: 't1', sid, id: 9 }, ts, nonce, CALL);
      ws.send(JSON.stringify({ t: 'msg', sid, ts, nonce, sig, body: CALL }));
    };
    const next = async () => {
      for (let i = 0; i < 100 && frames.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
      return frames.shift();
    };
    return { send, next, audit };
  }

  it('rejects a frame whose MAC does not match, with a reject frame and an audit record', async () => {
    const { send, next, audit } = await setup();
    send(Date.now(), 'n1', { sig: 'AAAA' });
    expect(await next()).toEqual({ t: 'reject', sid: 's1', id: 9, reason: 'bad_signature' });
    expect(audit.records[0]).toMatchObject({ kind: 'connector', tunnel: 't1', status: 'bad_signature', requestId: 9, method: 'tools/list' });
  });

  it('rejects a frame signed for one session and delivered on another (moved frame)', async () => {
    const { send, next, audit } = await setup();
    send(Date.now(), 'n4', { sid: 's2', signedFor: { tunnel: 't1', sid: 's1', id: 9 } });
    expect(await next()).toEqual({ t: 'reject', sid: 's2', id: 9, reason: 'bad_signature' });
    expect(audit.records[0]).toMatchObject({ status: 'bad_signature', session: 's2' });
  });

  it('rejects a stale timestamp', async () => {
    const { send, next, audit } = await setup();
    send(Date.now() - 120_000, 'n2');
    expect(await next()).toMatchObject({ t: 'reject', reason: 'stale_timestamp' });
    expect(audit.records[0]).toMatchObject({ status: 'stale_timestamp' });
  });

  it('forwards a good frame once and rejects its replay', async () => {
    const { send, next, audit } = await setup();
    const ts = Date.now();
    send(ts, 'n3');
    const answer = await next();
    expect(answer.t).toBe('msg'); // the mock server's answer (an error: not initialized, or the list)
    send(ts, 'n3');
    expect(await next()).toMatchObject({ t: 'reject', reason: 'replayed_nonce' });
    expect(audit.records[0]).toMatchObject({ status: 'replayed_nonce' });
  });

  it('refuses a relay that will not bind the signing key to the credential it holds (downgrade)', async () => {
    const relay = await fakeRelay();
    const credential = issueCredential(Buffer.alloc(32, 8), { tunnel: 't1', subject: 'c', expiresAtSec: Math.floor(Date.now() / 1000) + 60 });
    const c = new Connector({ relay: relay.url, tunnel: 't1', token: () => 'x.y.z', credential, upstream: upstreamFactory({ kind: 'mock', tools: {} }) });
    c.start();
    cleanups.push(() => relay.close(), () => c.close());
    const { ws } = await relay.peer; // its welcome says credential: false
    const code = await new Promise<number>((r) => ws.once('close', (k) => r(k)));
    expect(code).toBe(4002);
    expect(c.connected).toBe(false);
  });
});

