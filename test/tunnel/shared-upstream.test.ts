// `connect --share-upstream` end to end: a real relay, a real connector and one real stdio server
// (spawned once) behind several agent sessions, over loopback.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import type { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { LoggingMessageNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { Harness, SECRET, STDIO_SERVER, text } from './harness.js';
import { main } from '../../src/cli/main.js';
import { mintToken } from '../../src/tunnel/tokens.js';
import { sharedUpstream, type SharedUpstreamFactory } from '../../src/tunnel/shared-upstream.js';
import { upstreamFactory } from '../../src/tunnel/upstream.js';

describe('a shared upstream', () => {
  let h: Harness;
  let shared: SharedUpstreamFactory;
  const spawned: Transport[] = [];
  afterEach(async () => {
    await h.closeAll();
    await shared.close();
    spawned.length = 0;
  });

  async function start(): Promise<void> {
    h = await new Harness().start();
    const stdio = upstreamFactory({ kind: 'stdio', command: `node ${STDIO_SERVER} one` });
    shared = sharedUpstream(async () => {
      const t = await stdio();
      spawned.push(t);
      return t;
    });
    await h.connector('alpha', { kind: 'stdio', command: 'unused' }, { upstream: shared });
  }

  it('serves every session from one server process, each answer reaching only the session that asked', async () => {
    await start();
    const clients = await Promise.all([h.client('alpha'), h.client('alpha'), h.client('alpha')]);
    const answers = await Promise.all(
      clients.flatMap((c, i) =>
        Array.from({ length: 12 }, async (_, k) => ({ want: `one:c${i}-${k}`, got: text(await c.callTool({ name: 'echo', arguments: { text: `c${i}-${k}` } })) })),
      ),
    );
    for (const { want, got } of answers) expect(got).toBe(want);
    // The connector's own catalog session and the three agents' all went to the same process.
    expect(spawned).toHaveLength(1);
  });

  it("carries each call's progress to its own session only", async () => {
    await start();
    const [a, b] = await Promise.all([h.client('alpha'), h.client('alpha')]);
    const seen: Record<string, number[]> = { a: [], b: [] };
    const call = (c: typeof a, who: string, ms: number) =>
      c.callTool({ name: 'slow', arguments: { ms, steps: 4 } }, undefined, { onprogress: (p) => void seen[who].push(p.progress) });
    const [ra, rb] = await Promise.all([call(a, 'a', 80), call(b, 'b', 40)]);
    expect([text(ra), text(rb)]).toEqual(['one:slept 80', 'one:slept 40']);
    expect(seen).toEqual({ a: [1, 2, 3, 4], b: [1, 2, 3, 4] });
  });

  it("keeps one session's log messages from every other session, and refuses the server's requests it cannot route", async () => {
    await start();
    const [a, b] = await Promise.all([h.client('alpha'), h.client('alpha')]);
    await new Promise((r) => setTimeout(r, 100)); // the GET streams that would carry logs are open
    const logs: string[] = [];
    for (const c of [a, b]) c.setNotificationHandler(LoggingMessageNotificationSchema, (n) => void logs.push(String(n.params.data)));
    expect(text(await a.callTool({ name: 'shout', arguments: { text: 'secret' } }))).toBe('shouted secret');
    // The sampling request comes back to the server as an error, which its tool reports.
    const asked = await b.callTool({ name: 'ask', arguments: { text: 'q' } });
    expect(asked.isError).toBe(true);
    expect(text(asked)).toContain('shared by every session');
    await new Promise((r) => setTimeout(r, 50));
    expect(logs).toEqual([]);
  });

  it('ends the sessions on a server that died, and serves the next session from a new one', async () => {
    await start();
    const before = await h.client('alpha');
    expect(text(await before.callTool({ name: 'echo', arguments: { text: 'x' } }))).toBe('one:x');
    const pid = (spawned[0] as StdioClientTransport).pid as number;
    const gone = new Promise<void>((r) => {
      const t = setInterval(() => {
        try {
          process.kill(pid, 0);
        } catch {
          clearInterval(t);
          r();
        }
      }, 10);
    });
    process.kill(pid, 'SIGKILL');
    await gone;
    await expect
      .poll(async () => before.callTool({ name: 'echo', arguments: { text: 'y' } }).then(() => 'answered', () => 'refused'), { timeout: 5000 })
      .toBe('refused');
    const after = await h.client('alpha');
    expect(text(await after.callTool({ name: 'echo', arguments: { text: 'z' } }))).toBe('one:z');
    expect(spawned).toHaveLength(2);
  });
});

describe('tunnelsim connect --share-upstream', () => {
  /** Live processes whose command line holds `marker`. */
  function running(marker: string): number {
    let n = 0;
    for (const e of readdirSync('/proc')) {
      if (!/^\d+$/.test(e)) continue;
      try {
        if (readFileSync(`/proc/${e}/cmdline`, 'utf8').includes(marker)) n++;
      } catch {
        // gone meanwhile
      }
    }
    return n;
  }

  it.skipIf(process.platform !== 'linux')('spawns the stdio server once for all sessions, and stops it when the connector stops', async () => {
    const h = await new Harness().start();
    const marker = `shared-${process.pid}-${Date.now()}`;
    const token = await mintToken(SECRET, { tunnel: 'alpha', roles: ['connect'], subject: 'conn' });
    vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const run = main(['connect', '--relay', h.url, '--tunnel', 'alpha', '--token', token, '--stdio', `node ${STDIO_SERVER} ${marker}`, '--share-upstream']);
    try {
      await expect.poll(() => h.relay.stats().connectors, { timeout: 10_000 }).toBe(1);
      const clients = await Promise.all([h.client('alpha'), h.client('alpha')]);
      const got = await Promise.all(clients.map((c, i) => c.callTool({ name: 'echo', arguments: { text: String(i) } }).then(text)));
      expect(got).toEqual([`${marker}:0`, `${marker}:1`]);
      expect(running(marker)).toBe(1);
    } finally {
      process.emit('SIGTERM');
      expect(await run).toBe(0);
      vi.restoreAllMocks();
      await h.closeAll();
    }
    await expect.poll(() => running(marker), { timeout: 10_000 }).toBe(0);
  });
});
