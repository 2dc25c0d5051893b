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
});
