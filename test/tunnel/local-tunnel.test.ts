import { describe, expect, it } from 'vitest';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { startLocalTunnel } from '../../src/tunnel/local-tunnel.js';
import { MemoryAuditSink } from '../../src/tunnel/audit-file.js';
import { countTokens } from '../../src/tokens/tokenizer.js';

describe('startLocalTunnel', () => {
  it('gives an authenticated MCP endpoint in front of a mock upstream', async () => {
    const audit = new MemoryAuditSink();
    const t = await startLocalTunnel({ upstream: { kind: 'mock', tools: { q: { serviceMs: () => 1, resultTokens: () => 3 } } }, audit });
    const client = new Client({ name: 'c', version: '1' });
    try {
      await client.connect(new StreamableHTTPClientTransport(new URL(t.url), { requestInit: { headers: { Authorization: `Bearer ${t.token}` } } }));
      const r = (await client.callTool({ name: 'q', arguments: {} })) as { content: { text: string }[] };
      expect(countTokens(r.content[0].text)).toBe(3);
      expect(audit.records.some((a) => a.tool === 'q' && a.status === 'ok' && a.subject === 'local-agent')).toBe(true);
    } finally {
      await client.close();
      await t.close();
    }
  });
});
