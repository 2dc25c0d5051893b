/**
 * The built-in mock upstream: an SDK `McpServer` whose tools take a drawn service time and answer
 * with text of a drawn number of tokens, exactly that many under the live tokenizer's encodings
 * (`payloadText`), so `probe` through the mock measures the scenario's result sizes. It honours
 * cancellation (the request's abort signal ends the wait) and reports progress when the caller asks
 * for it, so the relay's cancel and progress paths see real traffic.
 */
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { RequestHandlerExtra } from '@modelcontextprotocol/sdk/shared/protocol.js';
import type { ServerNotification, ServerRequest } from '@modelcontextprotocol/sdk/types.js';
import { payloadText } from '../tokens/payload-text.js';
import type { WorkerPool } from './worker-pool.js';

/** One mock tool: draws of its service time (ms) and result size (tokens). */
export interface MockTool {
  serviceMs(): number;
  resultTokens(): number;
  /** Marked `readOnlyHint` (read-only tokens may call it). @default false */
  readOnly?: boolean;
  /** Marked `idempotentHint`. @default false */
  idempotent?: boolean;
}

export type MockToolTable = Record<string, MockTool>;

export interface MockServerOptions {
  /** @default 'tunnelsim-mock' */
  name: string;
  /** Progress notifications per call when the caller sends a progress token. @default 2 */
  progressSteps: number;
  /**
   * Worker pool shared by every session of this upstream: calls beyond its size wait, FIFO, as in
   * the scenario's `server.concurrency`. `undefined` = no limit. @default undefined
   */
  pool?: WorkerPool;
}

export const DEFAULT_MOCK_SERVER: MockServerOptions = { name: 'tunnelsim-mock', progressSteps: 2 };

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(new Error('cancelled'));
    const t = setTimeout(resolve, Math.max(0, ms));
    signal.addEventListener('abort', () => (clearTimeout(t), reject(new Error('cancelled'))), { once: true });
  });
}

export function createMockServer(tools: MockToolTable, options: Partial<MockServerOptions> = {}): McpServer {
  const opts = { ...DEFAULT_MOCK_SERVER, ...options };
  const server = new McpServer({ name: opts.name, version: '1.0.0' });
  for (const [name, tool] of Object.entries(tools)) {
    server.registerTool(
      name,
      {
        description: `mock tool ${name}`,
        annotations: { readOnlyHint: tool.readOnly === true, idempotentHint: tool.idempotent === true },
      },
      async (extra) => {
        const release = await opts.pool?.acquire(extra.signal);
        try {
          return await serve(tool, opts, extra);
        } finally {
          release?.();
        }
      },
    );
  }
  return server;
}

type Extra = RequestHandlerExtra<ServerRequest, ServerNotification>;

async function serve(tool: MockTool, opts: MockServerOptions, extra: Extra): Promise<{ content: { type: 'text'; text: string }[] }> {
  const total = tool.serviceMs();
  const token = extra._meta?.progressToken;
  const steps = token === undefined ? 1 : Math.max(1, opts.progressSteps);
  for (let i = 0; i < steps; i++) {
    if (token !== undefined) {
      await extra.sendNotification({ method: 'notifications/progress', params: { progressToken: token, progress: i, total: steps } });
    }
    await sleep(total / steps, extra.signal);
  }
  return { content: [{ type: 'text', text: payloadText(tool.resultTokens()) }] };
}
