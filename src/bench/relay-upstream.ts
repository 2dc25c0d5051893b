/**
 * The upstream MCP server the relay benchmark calls in every leg: an SDK `McpServer` over
 * Streamable HTTP (one transport per session) with one tool that answers at once, so the figures
 * measure the path, not the work.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';

export interface BenchUpstream {
  url: string;
  port: number;
  close(): Promise<void>;
}

/** The bench's MCP server: one read-only tool, `ping`, that answers `pong` at once (also served on stdio by relay-stdio-upstream.ts). */
export function benchServer(): McpServer {
  const server = new McpServer({ name: 'bench-upstream', version: '1.0.0' });
  server.registerTool('ping', { description: 'answers at once', annotations: { readOnlyHint: true } }, async () => ({
    content: [{ type: 'text', text: 'pong' }],
  }));
  return server;
}

export async function startBenchUpstream(): Promise<BenchUpstream> {
  const transports = new Map<string, StreamableHTTPServerTransport>();
  const http: Server = createServer(async (req, res) => {
    const sid = req.headers['mcp-session-id'];
    let t = typeof sid === 'string' ? transports.get(sid) : undefined;
    if (!t) {
      const created = new StreamableHTTPServerTransport({ sessionIdGenerator: () => randomUUID(), onsessioninitialized: (id) => void transports.set(id, created) });
      created.onclose = () => void (created.sessionId && transports.delete(created.sessionId));
      await benchServer().connect(created);
      t = created;
    }
    await t.handleRequest(req, res);
  });
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', () => r()));
  const port = (http.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/mcp`,
    port,
    close: async () => {
      for (const t of transports.values()) await t.close().catch(() => undefined);
      await new Promise<void>((r) => {
        http.close(() => r());
        http.closeAllConnections();
      });
    },
  };
}
