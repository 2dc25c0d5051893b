import { describe, expect, it } from 'vitest';
import { StreamableHTTPError } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { McpError } from '@modelcontextprotocol/sdk/types.js';
import { failedCall } from '../../src/live/call-outcome.js';
import { QUEUE_FULL_RETRY_AFTER_MS } from '../../src/relay/admission.js';
import { RELAY_ERROR } from '../../src/relay/jsonrpc.js';

describe('failedCall', () => {
  it('reads the relay’s errors and statuses as the simulator’s relay outcomes, and any other JSON-RPC error as the tool’s own', () => {
    const rows: [unknown, string, string | undefined, number, number, boolean][] = [
      [new McpError(RELAY_ERROR.connectorLost, 'lost'), 'unavailable', 'unavailable', 0, 0, false],
      [new McpError(RELAY_ERROR.sessionClosed, 'closed'), 'unavailable', 'unavailable', 0, 0, false],
      [new McpError(RELAY_ERROR.overloaded, 'busy'), 'rejected', 'rejectedByRelay', 0, QUEUE_FULL_RETRY_AFTER_MS, false],
      [new McpError(RELAY_ERROR.shed, 'shed'), 'rejected', 'shedByRelay', 0, QUEUE_FULL_RETRY_AFTER_MS, false],
      [new McpError(-32603, 'tool failed'), 'error', undefined, -32603, 0, true],
      [new StreamableHTTPError(429, 'too many'), 'rejected', 'rejectedByRelay', 0, QUEUE_FULL_RETRY_AFTER_MS, false],
      [new StreamableHTTPError(502, 'bad gateway'), 'unavailable', 'unavailable', 0, 0, false],
      [new StreamableHTTPError(503, 'unavailable'), 'unavailable', 'unavailable', 0, 0, false],
      [new StreamableHTTPError(504, 'timeout'), 'unavailable', 'unavailable', 0, 0, false],
      [new StreamableHTTPError(500, 'server error'), 'reset', 'resets', 0, 0, false],
      [new TypeError('fetch failed'), 'reset', 'resets', 0, 0, false],
    ];
    for (const [err, outcome, counter, code, retryAfter, served] of rows) {
      expect(failedCall(err), String(err)).toEqual({ outcome, ...(counter ? { counter } : {}), code, retryAfter, served });
    }
  });
});
