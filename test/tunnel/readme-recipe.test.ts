// The README's relay recipe, run as a user runs it (issue 14, "Done when"): `tunnelsim relay`,
// `tunnelsim token --credential` and `tunnelsim connect --credential-file` as real processes, with
// the relay's connect tokens living only 30 s. An agent keeps one session for over two minutes and
// calls through it every two seconds: every call must succeed on that one session while the
// connector renews its token about eight times on the same connection.
import { afterAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createInterface } from 'node:readline';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { main } from '../../src/cli/main.js';
import { mintToken } from '../../src/tunnel/tokens.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const SECRET = 'readme-recipe-secret-readme-recipe-0123';
// The processes run from a scratch directory, where `--import tsx` would not resolve: name the loader by path.
const TSX = pathToFileURL(join(ROOT, 'node_modules/tsx/dist/loader.mjs')).href;
const SERVE_MS = Number(process.env.RECIPE_SERVE_MS ?? 125_000);

interface Proc {
  child: ChildProcess;
  lines: string[];
  /** Resolves with the first stderr line matching `re`. */
  waitFor(re: RegExp): Promise<string>;
}

function tunnelsim(args: string[], cwd: string): Proc {
  const child = spawn(process.execPath, ['--import', TSX, join(ROOT, 'src/cli/main.ts'), ...args], {
    cwd,
    env: { ...process.env, TUNNELSIM_JWT_SECRET: SECRET },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const waiters: { re: RegExp; resolve: (l: string) => void; reject: (e: Error) => void }[] = [];
  createInterface({ input: child.stderr! }).on('line', (l) => {
    lines.push(l);
    for (const w of [...waiters]) {
      if (!w.re.test(l)) continue;
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve(l);
    }
  });
  // A process that dies before saying what a test waits for fails the test with what it said.
  child.once('exit', (code) => {
    for (const w of waiters.splice(0)) w.reject(new Error(`tunnelsim ${args[0]} exited with ${code}: ${lines.join(' | ')}`));
  });
  child.stdout!.resume();
  return {
    child,
    lines,
    waitFor: (re) => {
      const seen = lines.find((l) => re.test(l));
      return seen ? Promise.resolve(seen) : new Promise((resolve, reject) => waiters.push({ re, resolve, reject }));
    },
  };
}

async function stop(p: Proc | undefined): Promise<void> {
  if (!p || p.child.exitCode !== null || p.child.signalCode !== null) return;
  const gone = new Promise((r) => p.child.once('exit', r));
  p.child.kill('SIGTERM');
  await gone;
}

describe('the README relay recipe with a 30 s connect-token TTL', () => {
  const dir = mkdtempSync(join(tmpdir(), 'recipe-'));
  let relay: Proc | undefined;
  let connector: Proc | undefined;
  afterAll(async () => {
    await stop(connector);
    await stop(relay);
    rmSync(dir, { recursive: true, force: true });
  });

  it('is still serving after two minutes, on the same session, with no call lost at renewal', { timeout: SERVE_MS + 90_000 }, async () => {
    writeFileSync(join(dir, 'relay.yaml'), 'connectTokenTtl: 30s\n');
    relay = tunnelsim(['relay', '--port', '0', '--config', 'relay.yaml'], dir);
    const url = /listening on (http:\/\/[\d.:]+)/.exec(await relay.waitFor(/listening on/))![1];
    process.env.TUNNELSIM_JWT_SECRET = SECRET;
    const made = await main(['token', '--tunnel', 'demo', '--scope', 'connect', '--credential', '--out', join(dir, 'demo.cred')]);
    delete process.env.TUNNELSIM_JWT_SECRET;
    expect(made).toBe(0);
    connector = tunnelsim(['connect', '--relay', url, '--tunnel', 'demo', '--credential-file', 'demo.cred', '--mock', join(ROOT, 'scenarios/thirty-call.yaml')], dir);
    await connector.waitFor(/serving tunnel demo/);

    const token = await mintToken(new TextEncoder().encode(SECRET), { tunnel: 'demo', roles: ['use'], tools: ['market.quote'], ttlSec: 3600, subject: 'agent' });
    const transport = new StreamableHTTPClientTransport(new URL(`${url}/t/demo/mcp`), { requestInit: { headers: { Authorization: `Bearer ${token}` } } });
    const client = new Client({ name: 'recipe-agent', version: '1' });
    await client.connect(transport);
    const session = transport.sessionId;
    const start = Date.now();
    let calls = 0;
    while (Date.now() - start < SERVE_MS) {
      const r = await client.callTool({ name: 'market.quote', arguments: {} });
      expect(r.isError, `call ${calls} at ${Date.now() - start} ms`).toBeFalsy();
      calls++;
      await new Promise((res) => setTimeout(res, 2000));
    }
    expect(transport.sessionId).toBe(session);
    await client.close();

    const audit = relay.lines.filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { status: string; method: string | null; kind: string });
    const renewals = audit.filter((r) => r.method === 'client-credentials' && r.status === 'ok').length;
    // A 30 s token renews every 15 s: about nine mints in 125 s (the first one at dial).
    expect(renewals).toBeGreaterThanOrEqual(Math.floor(SERVE_MS / 15_000));
    // Each renewal went over the same connection (an auth frame), not a reconnect.
    const auths = audit.filter((r) => r.kind === 'connector' && r.method === 'auth' && r.status === 'ok').length;
    expect(auths).toBeGreaterThanOrEqual(renewals - 2); // the last renewal may be in flight as the test reads the log
    expect(auths).toBeLessThanOrEqual(renewals - 1);
    expect(audit.filter((r) => r.kind === 'connector' && r.method === 'connect' && r.status === 'ok')).toHaveLength(1);
    expect(audit.some((r) => r.status === 'connector_lost' || r.status === 'session_closed')).toBe(false);
    expect(audit.filter((r) => r.method === 'tools/call' && r.status === 'ok')).toHaveLength(calls);
    expect(connector.lines.filter((l) => /disconnected|refused|no connect token/.test(l))).toEqual([]);
  });
});
