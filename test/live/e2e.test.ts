import { afterEach, describe, expect, it } from 'vitest';
import { LoggingMessageNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
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
    expect(tools.tools.map((t) => t.name).sort()).toEqual(['echo', 'shout', 'slow']);
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
});
