import { describe, expect, it } from 'vitest';
import { deriveSigningKey, SignatureGuard, signFrame, type FramePlace } from '../../src/relay/signing.js';

const KEY = Buffer.alloc(32, 1);
const AT: FramePlace = { tunnel: 't', sid: 's1', id: 1 };
const frame = (ts: number, nonce: string, body = '{}', at: FramePlace = AT) => ({ ts, nonce, sig: signFrame(KEY, at, ts, nonce, body) });

describe('SignatureGuard', () => {
  it('accepts a fresh frame and refuses a changed body', () => {
    const g = new SignatureGuard(KEY);
    expect(g.check(frame(1000, 'a'), AT, '{}', 1000)).toEqual({ kind: 'ok' });
    expect(g.check(frame(1000, 'b'), AT, '{"x":1}', 1000)).toEqual({ kind: 'rejected', reason: 'bad_signature' });
  });

  it('binds the MAC to tunnel, session and id: a frame moved anywhere else fails', () => {
    const g = new SignatureGuard(KEY);
    const f = frame(1000, 'a');
    for (const at of [{ ...AT, sid: 's2' }, { ...AT, tunnel: 'u' }, { ...AT, id: 2 }, { ...AT, id: '1' }, { ...AT, id: null }]) {
      expect(g.check(f, at, '{}', 1000)).toEqual({ kind: 'rejected', reason: 'bad_signature' });
    }
    expect(g.check(f, AT, '{}', 1000)).toEqual({ kind: 'ok' });
  });

  it('refuses timestamps outside the skew window either way', () => {
    const g = new SignatureGuard(KEY, { maxSkewMs: 100 });
    expect(g.check(frame(0, 'a'), AT, '{}', 101).kind).toBe('rejected');
    expect(g.check(frame(202, 'b'), AT, '{}', 101).kind).toBe('rejected');
  });

  it('keeps at most nonceCapacity nonces yet still refuses every replay', () => {
    const g = new SignatureGuard(KEY, { maxSkewMs: 1e9, nonceCapacity: 10 });
    for (let i = 0; i < 1000; i++) expect(g.check(frame(i, `n${i}`), AT, '{}', i).kind).toBe('ok');
    expect(g.remembered).toBeLessThanOrEqual(10);
    for (let i = 0; i < 1000; i++) expect(g.check(frame(i, `n${i}`), AT, '{}', 1000).kind).toBe('rejected');
  });
});

describe('deriveSigningKey', () => {
  const shared = Buffer.alloc(32, 2);
  const salt = Buffer.alloc(16, 3);
  it('gives both sides one key from the same inputs, and another key when any input differs', () => {
    const k = deriveSigningKey({ shared, salt, tunnel: 't' });
    expect(Buffer.from(deriveSigningKey({ shared, salt, tunnel: 't' })).equals(Buffer.from(k))).toBe(true);
    const others = [
      deriveSigningKey({ shared: Buffer.alloc(32, 9), salt, tunnel: 't' }),
      deriveSigningKey({ shared, salt: Buffer.alloc(16, 9), tunnel: 't' }),
      deriveSigningKey({ shared, salt, tunnel: 'u' }),
      deriveSigningKey({ shared, salt, tunnel: 't', credentialSecret: Buffer.alloc(32, 4) }),
    ];
    for (const o of others) expect(Buffer.from(o).equals(Buffer.from(k))).toBe(false);
    expect(k).toHaveLength(32);
  });
});
