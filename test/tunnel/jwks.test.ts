import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignJWT, exportJWK, generateKeyPair } from 'jose';
import { loadRelayConfig } from '../../src/tunnel/relay-config.js';
import { RelayServer } from '../../src/tunnel/relay-server.js';
import { MemoryAuditSink } from '../../src/tunnel/audit-file.js';
import { tunnelAudience } from '../../src/relay/auth.js';

describe('relay with a JWKS file (asymmetric tokens)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'jwks-'));
  let relay: RelayServer | undefined;
  afterAll(async () => {
    await relay?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('accepts an ES256 connector token signed by a key in the JWKS and refuses an HS256 one', async () => {
    const { publicKey, privateKey } = await generateKeyPair('ES256');
    const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' };
    writeFileSync(join(dir, 'keys.json'), JSON.stringify({ keys: [jwk] }));
    writeFileSync(join(dir, 'relay.yaml'), 'jwks: keys.json\nalgorithms: [ES256]\n');
    const config = loadRelayConfig(join(dir, 'relay.yaml'), {});
    const audit = new MemoryAuditSink();
    relay = await RelayServer.start({ ...config.server, port: 0, host: '127.0.0.1', audit });
    const sign = (alg: 'ES256' | 'HS256', key: Parameters<SignJWT['sign']>[0], kid?: string) =>
      new SignJWT({ tunnel: 'a', scope: 'tunnel:use' })
        .setProtectedHeader({ alg, ...(kid ? { kid } : {}) })
        .setIssuer('tunnelsim')
        .setSubject('s')
        .setAudience(tunnelAudience('a'))
        .setExpirationTime('5m')
        .sign(key);
    const post = (token: string) =>
      fetch(`http://127.0.0.1:${relay!.port}/t/a/mcp`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream' },
        body: '{}',
      });
    // A valid token for a tunnel with no connector gets past auth to 503 (offline); a bad one stops at 401.
    expect((await post(await sign('ES256', privateKey, 'k1'))).status).toBe(503);
    expect((await post(await sign('HS256', new TextEncoder().encode('x'.repeat(40))))).status).toBe(401);
    expect(audit.records.at(-1)).toMatchObject({ status: 'alg_not_allowed', http: 401 });
  });
});
