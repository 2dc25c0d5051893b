/**
 * Where a connector sends an agent session's messages. Each agent session gets its own upstream
 * MCP transport — a spawned stdio server, a Streamable HTTP session, or an in-memory link to a mock
 * `McpServer` — so the upstream's own session state (initialize, subscriptions, server-initiated
 * requests) maps one-to-one onto the agent's, and no message can wander between sessions.
 */
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { HttpUpstreamTransport } from './http-upstream.js';
import { WorkerPool } from './worker-pool.js';
import { createMockServer, type MockServerOptions, type MockToolTable } from './mock-server.js';

/** Opens an upstream transport for one agent session; the caller starts and closes it. */
export type UpstreamFactory = () => Promise<Transport>;

export type UpstreamSpec =
  | { kind: 'stdio'; command: string; cwd?: string }
  | { kind: 'http'; url: string }
  | { kind: 'mock'; tools: MockToolTable; concurrency?: number; options?: Partial<MockServerOptions> };

export function upstreamFactory(spec: UpstreamSpec): UpstreamFactory {
  switch (spec.kind) {
    case 'stdio':
      // `exec` makes the server the shell's replacement, so closing the transport ends the server.
      return async () =>
        new StdioClientTransport({ command: '/bin/sh', args: ['-c', `exec ${spec.command}`], cwd: spec.cwd, stderr: 'inherit' });
    case 'http':
      return async () => new HttpUpstreamTransport(new URL(spec.url));
    case 'mock': {
      // One pool for every session: the scenario's server has `concurrency` workers in all.
      const pool = spec.concurrency === undefined ? undefined : new WorkerPool(spec.concurrency);
      return async () => {
        const [client, server] = InMemoryTransport.createLinkedPair();
        await createMockServer(spec.tools, { pool, ...spec.options }).connect(server);
        return client;
      };
    }
  }
}
