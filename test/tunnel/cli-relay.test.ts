import { afterEach, describe, expect, it, vi } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { jwtVerify } from 'jose';
import { main } from '../../src/cli/main.js';
import { Harness } from './harness.js';

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
});
