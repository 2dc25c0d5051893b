import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { parseScenario } from '../../src/scenario/load.js';
import { mockToolsFromScenario } from '../../src/tunnel/mock-scenario.js';
import { startLocalTunnel, type LocalTunnel } from '../../src/tunnel/local-tunnel.js';
import { mintToken } from '../../src/tunnel/tokens.js';
import { probe } from '../../src/live/probe.js';

const SCENARIO = {
  name: 'mock-sizes',
  workload: { model: 'closed', agents: 1, workflows: 1 },
  workflow: { steps: 1, tools: ['quote', 'book'] },
  llm: { pricing: { source: 'test', inputPerMTok: 1, outputPerMTok: 1 } },
  server: {
    tools: {
      quote: { service: '1ms', resultTokens: 300, readOnly: true },
      book: { service: '1ms', resultTokens: 1200, idempotent: true },
    },
  },
  policies: [{ name: 'p', preset: 'mcp-sdk-default' }],
};

describe('the --mock upstream built from a scenario', () => {
  let t: LocalTunnel;
  beforeAll(async () => {
    const sc = parseScenario(SCENARIO, 'mock-sizes.yaml');
    t = await startLocalTunnel({ tunnel: 'mock', upstream: { kind: 'mock', tools: mockToolsFromScenario(sc) } });
  });
  afterAll(async () => t.close());

  it('answers with results that probe measures at the scenario’s token counts (within 1 %)', async () => {
    const probes = await probe({ url: t.url, token: t.token, calls: 5, warmup: 1 });
    const byTool = Object.fromEntries(probes.map((p) => [p.tool, p.resultTokens]));
    for (const [tool, want] of [['quote', 300], ['book', 1200]] as const) {
      for (const got of byTool[tool]) expect(Math.abs(got - want) / want, tool).toBeLessThanOrEqual(0.01);
    }
  });

  it('marks the tools the scenario calls readOnly, and only those, so a read-only token sees them', async () => {
    const secret = t.relay.opts.mintSecret as Uint8Array;
    const ro = await mintToken(secret, { tunnel: 'mock', roles: ['use'], readOnly: true, subject: 'reader' });
    const client = new Client({ name: 'reader', version: '1' });
    await client.connect(new StreamableHTTPClientTransport(new URL(t.url), { requestInit: { headers: { Authorization: `Bearer ${ro}` } } }));
    try {
      expect((await client.listTools()).tools.map((x) => x.name)).toEqual(['quote']);
      expect((await client.callTool({ name: 'quote', arguments: {} })).isError).toBeFalsy();
      await expect(client.callTool({ name: 'book', arguments: {} })).rejects.toThrow(/403|not allowed/);
    } finally {
      await client.close();
    }
  });
});
