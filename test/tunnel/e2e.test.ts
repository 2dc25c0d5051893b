import { afterEach, describe, expect, it } from 'vitest';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { CreateMessageRequestSchema, LoggingMessageNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { Harness, STDIO_SERVER, text } from './harness.js';
// @ts-expect-error plain JS fixture
import { startHttpServer } from '../fixtures/http-server.mjs';

describe('relay + connector, end to end', () => {
  let h: Harness;
  afterEach(async () => h.closeAll());

  it('initializes, lists and calls tools through a stdio upstream', async () => {
    h = await new Harness().start();
    await h.connector('alpha', { kind: 'stdio', command: `node ${STDIO_SERVER} alpha` });
    const client = await h.client('alpha');
    const tools = await client.listTools();
    expect(tools.tools.map((t) => t.name).sort()).toEqual(['ask', 'ask_here', 'echo', 'shout', 'slow']);
    expect(text(await client.callTool({ name: 'echo', arguments: { text: 'hi' } }))).toBe('alpha:hi');
    const ok = h.audit.records.filter((r) => r.status === 'ok' && r.method === 'tools/call');
    expect(ok).toHaveLength(1);
    expect(ok[0]).toMatchObject({ tunnel: 'alpha', subject: 'agent', tool: 'echo' });
    expect(JSON.stringify(h.audit.records)).not.toContain('hi"');
  });

  it('calls an HTTP upstream, with progress notifications', async () => {
    h = await new Harness().start();
    const upstream = await startHttpServer('beta');
    h.onClose(() => upstream.close());
    await h.connector('beta', { kind: 'http', url: upstream.url });
    const client = await h.client('beta');
    const progress: number[] = [];
    const r = await client.callTool({ name: 'slow', arguments: { ms: 40, steps: 4 } }, undefined, {
      onprogress: (p) => progress.push(p.progress),
    });
    expect(text(r)).toBe('beta:slept 40');
    expect(progress).toEqual([1, 2, 3, 4]);
  });

  it('serves several tunnels and sessions at once, each answer and log reaching only its own session', async () => {
    h = await new Harness().start();
    const upstream = await startHttpServer('gamma');
    h.onClose(() => upstream.close());
    await h.connector('alpha', { kind: 'stdio', command: `node ${STDIO_SERVER} alpha` });
    await h.connector('gamma', { kind: 'http', url: upstream.url });
    const clients = await Promise.all([h.client('alpha'), h.client('alpha'), h.client('gamma'), h.client('gamma')]);
    // Unsolicited logs travel on GET streams (agent→relay, connector→upstream) that open just after
    // initialize; give them a moment so the test does not race them.
    await new Promise((r) => setTimeout(r, 100));
    const logs: string[][] = clients.map(() => []);
    clients.forEach((c, i) => c.setNotificationHandler(LoggingMessageNotificationSchema, (n) => void logs[i].push(String(n.params.data))));
    const rounds = await Promise.all(
      clients.flatMap((c, i) =>
        Array.from({ length: 10 }, async (_, k) => {
          const r = await c.callTool({ name: k % 2 ? 'echo' : 'shout', arguments: { text: `c${i}-${k}` } });
          return { i, k, text: text(r) };
        }),
      ),
    );
    for (const { i, k, text: t } of rounds) {
      const tunnel = i < 2 ? 'alpha' : 'gamma';
      expect(t).toBe(k % 2 ? `${tunnel}:c${i}-${k}` : `shouted c${i}-${k}`);
    }
    await new Promise((r) => setTimeout(r, 50));
    logs.forEach((l, i) => {
      expect(l.sort()).toEqual(Array.from({ length: 5 }, (_, j) => `log:c${i}-${2 * j}`).sort());
    });
  });

  it('carries a server-initiated sampling request to the right client and its answer back', async () => {
    h = await new Harness().start();
    await h.connector('alpha', { kind: 'stdio', command: `node ${STDIO_SERVER} alpha` });
    const clients = await Promise.all(
      ['one', 'two'].map(async (name) => {
        const token = await h.token({ tunnel: 'alpha' });
        const c = new Client({ name, version: '1' }, { capabilities: { sampling: {} } });
        c.setRequestHandler(CreateMessageRequestSchema, async () => ({ role: 'assistant', model: name, content: { type: 'text', text: `from-${name}` } }));
        await c.connect(new StreamableHTTPClientTransport(new URL(`${h.url}/t/alpha/mcp`), { requestInit: { headers: { Authorization: `Bearer ${token}` } } }));
        h.onClose(() => c.close());
        return c;
      }),
    );
    await new Promise((r) => setTimeout(r, 100));
    const [a, b] = await Promise.all(clients.map((c) => c.callTool({ name: 'ask', arguments: { text: 'q' } })));
    expect(text(a)).toBe('sampled from-one');
    expect(text(b)).toBe('sampled from-two');
  });

  it('answers with JSON bodies instead of SSE when configured', async () => {
    h = await new Harness().start({ jsonResponse: true });
    await h.connector('alpha', { kind: 'stdio', command: `node ${STDIO_SERVER} alpha` });
    const client = await h.client('alpha');
    expect(text(await client.callTool({ name: 'echo', arguments: { text: 'j' } }))).toBe('alpha:j');
  });

  it('keeps long calls alive with SSE comments that clients ignore', async () => {
    // The call spans several heartbeats; the heartbeat is long enough that a busy machine's stalled
    // event loop (a connector silent for two intervals is dropped) does not end the tunnel.
    h = await new Harness().start({ heartbeatMs: 250 });
    await h.connector('alpha', { kind: 'stdio', command: `node ${STDIO_SERVER} alpha` });
    const client = await h.client('alpha');
    const progress: number[] = [];
    const r = await client.callTool({ name: 'slow', arguments: { ms: 1200, steps: 3 } }, undefined, { onprogress: (p) => progress.push(p.progress) });
    expect(text(r)).toBe('alpha:slept 1200');
    expect(progress).toEqual([1, 2, 3]);
  });

  it('never rewrites JSON-RPC ids, whatever their form', async () => {
    h = await new Harness().start();
    await h.connector('alpha', { kind: 'stdio', command: `node ${STDIO_SERVER} alpha` });
    const client = await h.client('alpha');
    const sid = (client.transport as StreamableHTTPClientTransport).sessionId as string;
    const token = await h.token({ tunnel: 'alpha' });
    for (const id of ['x-ÿ-"42"', 9007199254740991, 0, '']) {
      const res = await fetch(`${h.url}/t/alpha/mcp`, {
        method: 'POST',
        headers: {
          Authorization: `Bearer ${token}`,
          'Content-Type': 'application/json',
          Accept: 'application/json, text/event-stream',
          'mcp-session-id': sid,
          'mcp-protocol-version': '2025-06-18',
        },
        body: JSON.stringify({ jsonrpc: '2.0', id, method: 'tools/call', params: { name: 'echo', arguments: { text: 'i' } } }),
      });
      const data = (await res.text()).split('\n').find((l) => l.startsWith('data: ')) as string;
      expect(JSON.parse(data.slice(6))).toMatchObject({ id, result: { content: [{ text: 'alpha:i' }] } });
    }
  });
});
