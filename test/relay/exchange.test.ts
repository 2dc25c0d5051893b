import { describe, expect, it } from 'vitest';
import { decideExchange } from '../../src/relay/exchange.js';
import { parseScope, type Grant } from '../../src/relay/scopes.js';

const subject = (expiresAt: number, scope = 'tunnel:use'): Grant => ({ subject: 's', tunnel: 't', ...parseScope(scope), expiresAt });

describe('decideExchange', () => {
  it('gives the earlier of now + ttl and the subject token’s own expiry', () => {
    expect(decideExchange(subject(1_000_000_000), parseScope(''), 60, 10_500)).toMatchObject({ kind: 'ok', expiresAtSec: 70, expiresInSec: 60 });
    expect(decideExchange(subject(20_000), parseScope(''), 60, 10_500)).toMatchObject({ kind: 'ok', expiresAtSec: 20, expiresInSec: 10 });
  });

  it('never outlives the subject token, whatever the time of the request (property over a grid)', () => {
    for (let exp = 1000; exp < 20_000; exp += 1000) {
      for (let now = 0; now < 25_000; now += 137) {
        const d = decideExchange(subject(exp), parseScope(''), 5, now);
        if (d.kind === 'ok') {
          expect(d.expiresAtSec * 1000).toBeLessThanOrEqual(exp);
          expect(d.expiresAtSec * 1000 - now).toBeGreaterThanOrEqual(1000);
        } else expect(d).toMatchObject({ error: 'invalid_grant' });
      }
    }
  });

  it('refuses a wider scope', () => {
    expect(decideExchange(subject(1e12, 'tunnel:use tool:a'), parseScope('tunnel:use tool:b'), 60, 0)).toMatchObject({ kind: 'denied', error: 'invalid_scope' });
  });
});
