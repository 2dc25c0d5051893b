import { describe, expect, it } from 'vitest';
import { SignatureGuard, signBody } from '../../src/relay/signing.js';

const KEY = Buffer.alloc(32, 1);
const frame = (ts: number, nonce: string, body = '{}') => ({ ts, nonce, sig: signBody(KEY, ts, nonce, body) });

describe('SignatureGuard', () => {
  it('accepts a fresh frame and refuses a changed body', () => {
    const g = new SignatureGuard(KEY);
    expect(g.check(frame(1000, 'a'), '{}', 1000)).toEqual({ kind: 'ok' });
    expect(g.check(frame(1000, 'b'), '{"x":1}', 1000)).toEqual({ kind: 'rejected', reason: 'bad_signature' });
  });

  it('refuses timestamps outside the skew window either way', () => {
    const g = new SignatureGuard(KEY, { maxSkewMs: 100 });
    expect(g.check(frame(0, 'a'), '{}', 101).kind).toBe('rejected');
    expect(g.check(frame(202, 'b'), '{}', 101).kind).toBe('rejected');
  });

  it('keeps at most nonceCapacity nonces yet still refuses every replay', () => {
    const g = new SignatureGuard(KEY, { maxSkewMs: 1e9, nonceCapacity: 10 });
    for (let i = 0; i < 1000; i++) expect(g.check(frame(i, `n${i}`), '{}', i).kind).toBe('ok');
    expect(g.remembered).toBeLessThanOrEqual(10);
    for (let i = 0; i < 1000; i++) expect(g.check(frame(i, `n${i}`), '{}', 1000).kind).toBe('rejected');
  });
});
