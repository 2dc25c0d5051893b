import { describe, expect, it } from 'vitest';
import { clientAssertion, credentialSecret, formatCredential, issueCredential, parseCredential, verifyClientAssertion } from '../../src/relay/credentials.js';
import { NonceMemory } from '../../src/relay/nonces.js';

const MASTER = new TextEncoder().encode('master-key-master-key-master-key!!');
const NOW = 1_800_000_000_000;
const cred = issueCredential(MASTER, { tunnel: 'demo', subject: 'demo-connector', expiresAtSec: NOW / 1000 + 86_400 });
const memory = () => new NonceMemory({ windowMs: 310_000, capacity: 100 });

describe('connector credentials', () => {
  it('round-trips through its text form, and says what is wrong with a damaged one', () => {
    const back = parseCredential(formatCredential(cred));
    expect(back).toMatchObject({ tunnel: 'demo', subject: 'demo-connector', expiresAtSec: cred.expiresAtSec });
    expect(Buffer.from((back as typeof cred).secret).equals(Buffer.from(cred.secret))).toBe(true);
    expect(parseCredential('eyJhbGciOi.x.y')).toMatch(/not a tunnelsim credential/);
    expect(parseCredential(`${formatCredential(cred).slice(0, 40)}!`)).toMatch(/damaged/);
  });

  it('derives the secret from the relay key and every field, so no field can be changed', () => {
    const other = (o: object) => Buffer.from(credentialSecret(MASTER, { tunnel: 'demo', subject: 'demo-connector', expiresAtSec: cred.expiresAtSec, ...o }));
    for (const o of [{ tunnel: 'demo2' }, { subject: 'x' }, { expiresAtSec: cred.expiresAtSec + 1 }]) expect(other(o).equals(Buffer.from(cred.secret))).toBe(false);
  });

  it('accepts a fresh assertion once, and refuses a replay, a forged key, a late one and an expired credential', async () => {
    const seen = memory();
    const a = await clientAssertion(cred, NOW, 'j1');
    expect(await verifyClientAssertion(a, MASTER, NOW, seen)).toEqual({ kind: 'ok', tunnel: 'demo', subject: 'demo-connector', credentialExpiresAtSec: cred.expiresAtSec });
    expect(await verifyClientAssertion(a, MASTER, NOW + 1, seen)).toMatchObject({ kind: 'denied', reason: 'replayed_assertion' });
    const forged = issueCredential(new TextEncoder().encode('another-master-another-master-!!!!'), cred);
    expect(await verifyClientAssertion(await clientAssertion(forged, NOW, 'j2'), MASTER, NOW, memory())).toMatchObject({ kind: 'denied', reason: 'invalid_client', description: expect.stringContaining('bad signature') });
    expect(await verifyClientAssertion(await clientAssertion(cred, NOW, 'j3'), MASTER, NOW + 120_000, memory())).toMatchObject({ kind: 'denied', reason: 'invalid_client' });
    const long = await clientAssertion(cred, NOW, 'j4', { lifetimeSec: 3600 });
    expect(await verifyClientAssertion(long, MASTER, NOW, memory())).toMatchObject({ kind: 'denied', description: 'client_assertion lives too long' });
    const old = issueCredential(MASTER, { tunnel: 'demo', subject: 'demo-connector', expiresAtSec: NOW / 1000 - 1 });
    expect(await verifyClientAssertion(await clientAssertion(old, NOW, 'j5'), MASTER, NOW, memory())).toMatchObject({ description: 'the credential has expired' });
    expect(await verifyClientAssertion('not-a-jwt', MASTER, NOW, memory())).toMatchObject({ kind: 'denied', reason: 'invalid_client' });
  });
});
