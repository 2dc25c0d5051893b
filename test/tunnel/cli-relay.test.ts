import { afterEach, describe, expect, it, vi } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { jwtVerify } from 'jose';
import { main } from '../../src/cli/main.js';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Harness } from './harness.js';
import { RelayServer } from '../../src/tunnel/relay-server.js';
import { mintToken } from '../../src/tunnel/tokens.js';
import { parseCredential } from '../../src/relay/credentials.js';
import { TUNNEL_ID_RULE } from '../../src/relay/tunnel-id.js';

const SECRET = 'cli-secret-cli-secret-cli-secret-0123';

describe('relay, connect and token commands', () => {
  const servers: Server[] = [];
  afterEach(async () => {
    vi.unstubAllEnvs();
    vi.restoreAllMocks();
    for (const s of servers.splice(0)) await new Promise((r) => s.close(r));
  });

  function capture() {
    const out: string[] = [];
    const err: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((s) => (out.push(String(s)), true));
    vi.spyOn(process.stderr, 'write').mockImplementation((s) => (err.push(String(s)), true));
    return { out, err };
  }

  it('mints a token the relay accepts', async () => {
    vi.stubEnv('TUNNELSIM_JWT_SECRET', SECRET);
    const { out } = capture();
    expect(await main(['token', '--tunnel', 'demo', '--scope', 'use', '--tools', 'a,b', '--read-only', '--ttl', '2m'])).toBe(0);
    const { payload } = await jwtVerify(out.join('').trim(), new TextEncoder().encode(SECRET), { issuer: 'tunnelsim', audience: 'urn:tunnelsim:tunnel:demo' });
    expect(payload).toMatchObject({ tunnel: 'demo', scope: 'tunnel:use tunnel:read-only tool:a tool:b' });
    expect((payload.exp as number) - (payload.iat as number)).toBe(120);
  });

  it('exits 2 with one line when the secret is missing', async () => {
    vi.stubEnv('TUNNELSIM_JWT_SECRET', '');
    const { err } = capture();
    expect(await main(['token', '--tunnel', 'demo', '--scope', 'use'])).toBe(2);
    expect(err.join('')).toBe('error: TUNNELSIM_JWT_SECRET is not set\n');
  });

  it('exits 3 when the relay port is in use', async () => {
    vi.stubEnv('TUNNELSIM_JWT_SECRET', SECRET);
    const busy = createServer();
    servers.push(busy);
    await new Promise<void>((r) => busy.listen(0, '127.0.0.1', () => r()));
    const { err } = capture();
    expect(await main(['relay', '--port', String((busy.address() as AddressInfo).port)])).toBe(3);
    expect(err.join('')).toMatch(/^error: cannot listen on 127\.0\.0\.1:\d+: EADDRINUSE\n$/);
  });

  it('exits 2 when connect gets no upstream or two', async () => {
    const { err } = capture();
    expect(await main(['connect', '--relay', 'http://127.0.0.1:1', '--tunnel', 't', '--token', 'x'])).toBe(2);
    expect(await main(['connect', '--relay', 'http://127.0.0.1:1', '--tunnel', 't', '--token', 'x', '--stdio', 'a', '--upstream', 'http://b'])).toBe(2);
    expect(err.join('')).toContain('give exactly one of --mock, --stdio, --upstream');
  });

  it('exits 3 when the relay refuses a fixed connector token', async () => {
    vi.stubEnv('TUNNELSIM_JWT_SECRET', SECRET);
    const h = await new Harness().start();
    try {
      const { err } = capture();
      const useToken = await h.token({ tunnel: 'demo' }); // a use token, not a connect token
      const code = await main(['connect', '--relay', h.url, '--tunnel', 'demo', '--token', useToken, '--upstream', 'http://127.0.0.1:1/mcp']);
      expect(code).toBe(3);
      expect(err.join('')).toContain('relay refused the token (HTTP 403)');
    } finally {
      await h.closeAll();
    }
  });

  it('exits 2 with one line for a port that is not a port', async () => {
    vi.stubEnv('TUNNELSIM_JWT_SECRET', SECRET);
    const { err } = capture();
    for (const port of ['abc', '-1', '70000', '1.5']) {
      expect(await main(['relay', '--port', port])).toBe(2);
    }
    expect(err).toEqual(['abc', '-1', '70000', '1.5'].map((p) => `error: --port: '${p}' is not a port (an integer from 0 to 65535)\n`));
  });

  it('keeps audit lines off stdout by default: they go to stderr', async () => {
    const relay = await RelayServer.start({ key: new TextEncoder().encode(SECRET) });
    try {
      const { out, err } = capture();
      await (await fetch(`http://127.0.0.1:${relay.port}/t/demo/mcp`, { method: 'POST', body: '{}' })).text();
      vi.restoreAllMocks();
      expect(out).toEqual([]);
      expect(err.map((l) => JSON.parse(l))).toEqual([expect.objectContaining({ tunnel: 'demo', status: 'missing_token', http: 401 })]);
    } finally {
      await relay.close();
    }
  });

  it('writes a connector credential with mode 600 that connect reads, and refuses one for another tunnel', async () => {
    vi.stubEnv('TUNNELSIM_JWT_SECRET', SECRET);
    const dir = mkdtempSync(join(tmpdir(), 'cred-'));
    try {
      const file = join(dir, 'demo.cred');
      capture();
      expect(await main(['token', '--tunnel', 'demo', '--scope', 'connect', '--credential', '--out', file])).toBe(0);
      expect(statSync(file).mode & 0o777).toBe(0o600);
      const c = parseCredential(readFileSync(file, 'utf8'));
      expect(c).toMatchObject({ tunnel: 'demo', subject: 'demo-connector' });
      // Ninety days by default.
      expect(Math.abs((c as { expiresAtSec: number }).expiresAtSec - (Date.now() / 1000 + 90 * 86400))).toBeLessThan(60);
      vi.restoreAllMocks();
      const { err } = capture();
      expect(await main(['connect', '--relay', 'http://127.0.0.1:1', '--tunnel', 'other', '--credential-file', file, '--upstream', 'http://127.0.0.1:1/mcp'])).toBe(2);
      expect(await main(['token', '--tunnel', 'demo', '--scope', 'use', '--credential'])).toBe(2);
      expect(await main(['token', '--tunnel', '..', '--scope', 'connect'])).toBe(2);
      expect(err).toEqual([
        `error: ${file}: the credential is for tunnel demo, not other\n`,
        'error: --scope: --credential is for connectors: use --scope connect\n',
        `error: --tunnel: must be a tunnel id: ${TUNNEL_ID_RULE}\n`,
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('says an expired fixed connect token has expired, and points to a credential', async () => {
    vi.stubEnv('TUNNELSIM_JWT_SECRET', SECRET);
    const h = await new Harness().start();
    try {
      const { err } = capture();
      const old = await mintToken(new TextEncoder().encode(SECRET), { tunnel: 'demo', roles: ['connect'], ttlSec: 1 }, Date.now() - 60_000);
      const code = await main(['connect', '--relay', h.url, '--tunnel', 'demo', '--token', old, '--upstream', 'http://127.0.0.1:1/mcp']);
      expect(code).toBe(3);
      expect(err.join('')).toMatch(/^error: --token: relay refused the token \(HTTP 401\): the connect token has expired; .*--credential-file\n$/);
    } finally {
      await h.closeAll();
    }
  });
});

