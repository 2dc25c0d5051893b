import { describe, expect, it } from 'vitest';
import { CachedAuthorizer } from '../../src/relay/auth-cache.js';
import { mintToken } from '../../src/tunnel/tokens.js';

const KEY = new TextEncoder().encode('k'.repeat(40));

describe('CachedAuthorizer', () => {
  it('answers a repeated token from memory until it expires, then refuses it', async () => {
    const now = Date.UTC(2026, 0, 1);
    const auth = new CachedAuthorizer(KEY, { clockToleranceSec: 0 });
    const token = await mintToken(KEY, { tunnel: 't', roles: ['use'], ttlSec: 60 }, now);
    const first = await auth.authorize(token, { tunnel: 't', role: 'use' }, now);
    expect(first.kind).toBe('ok');
    expect(await auth.authorize(token, { tunnel: 't', role: 'use' }, now + 1000)).toBe(first);
    expect(await auth.authorize(token, { tunnel: 't', role: 'use' }, now + 61_000)).toMatchObject({ kind: 'denied', reason: 'expired' });
  });

  it('keys on tunnel and role, so a cached success never leaks to another', async () => {
    const now = Date.UTC(2026, 0, 1);
    const auth = new CachedAuthorizer(KEY, {});
    const token = await mintToken(KEY, { tunnel: 't', roles: ['use'] }, now);
    await auth.authorize(token, { tunnel: 't', role: 'use' }, now);
    expect(await auth.authorize(token, { tunnel: 'u', role: 'use' }, now)).toMatchObject({ kind: 'denied', reason: 'wrong_tunnel' });
    expect(await auth.authorize(token, { tunnel: 't', role: 'connect' }, now)).toMatchObject({ kind: 'denied', reason: 'missing_scope' });
  });

  it('answers synchronously from memory only for a remembered, unexpired token', async () => {
    const now = Date.UTC(2026, 0, 1);
    const auth = new CachedAuthorizer(KEY, { clockToleranceSec: 0 });
    const token = await mintToken(KEY, { tunnel: 't', roles: ['use'], ttlSec: 60 }, now);
    const want = { tunnel: 't', role: 'use' } as const;
    expect(auth.cached(token, want, now)).toBeUndefined(); // never verified: no shortcut
    const ok = await auth.authorize(token, want, now);
    expect(auth.cached(token, want, now + 59_000)).toBe(ok);
    expect(auth.cached(token, { tunnel: 'u', role: 'use' }, now)).toBeUndefined();
    expect(auth.cached(`${token}x`, want, now)).toBeUndefined(); // a forged variant is never a hit
    expect(auth.cached(token, want, now + 60_000)).toBeUndefined(); // expired: forgotten, must be judged again
    expect(await auth.authorize(token, want, now + 60_000)).toMatchObject({ kind: 'denied', reason: 'expired' });
    expect(auth.cached(undefined, want, now)).toBeUndefined();
  });

  it('stays within its capacity, forgetting the oldest token first', async () => {
    const now = Date.UTC(2026, 0, 1);
    const auth = new CachedAuthorizer(KEY, {}, { capacity: 2 });
    const want = { tunnel: 't', role: 'use' } as const;
    const tokens = await Promise.all([0, 1, 2].map((i) => mintToken(KEY, { tunnel: 't', roles: ['use'], subject: `s${i}` }, now)));
    for (const t of tokens) await auth.authorize(t, want, now);
    expect(tokens.map((t) => auth.cached(t, want, now) !== undefined)).toEqual([false, true, true]);
  });
});
