/**
 * How the live agent reads a `tools/call` that failed: the caller's outcome kind, the recorder
 * counter it adds to, and whether the request reached a server. The relay's own JSON-RPC errors
 * (connector lost, session closed, overloaded, shed) and its HTTP statuses (429, 502/503/504) map
 * to the kinds the simulator's relay produces, so a live world and a sim world count alike; any
 * other JSON-RPC error is the tool's own (it ran), and anything else — a closed connection, an
 * aborted request — is a reset.
 */
import { StreamableHTTPError } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { McpError } from '@modelcontextprotocol/sdk/types.js';
import type { CounterName } from '../metrics/recorder.js';
import { QUEUE_FULL_RETRY_AFTER_MS } from '../relay/admission.js';
import { RELAY_ERROR } from '../relay/jsonrpc.js';

export interface FailedCall {
  outcome: 'unavailable' | 'rejected' | 'error' | 'reset';
  /** The recorder counter the failure adds to (none for a tool's own error). */
  counter?: CounterName;
  /** JSON-RPC code of an `error` outcome, else 0. */
  code: number;
  /** Retry-After the caller may honour, ms (0: none). */
  retryAfter: number;
  /** The request reached a server, which answered with an error. */
  served: boolean;
}

const unavailable: FailedCall = { outcome: 'unavailable', counter: 'unavailable', code: 0, retryAfter: 0, served: false };
const rejected = (counter: CounterName): FailedCall => ({ outcome: 'rejected', counter, code: 0, retryAfter: QUEUE_FULL_RETRY_AFTER_MS, served: false });

export function failedCall(err: unknown): FailedCall {
  if (err instanceof McpError) {
    if (err.code === RELAY_ERROR.connectorLost || err.code === RELAY_ERROR.sessionClosed) return unavailable;
    if (err.code === RELAY_ERROR.overloaded) return rejected('rejectedByRelay');
    if (err.code === RELAY_ERROR.shed) return rejected('shedByRelay');
    return { outcome: 'error', code: err.code, retryAfter: 0, served: true };
  }
  if (err instanceof StreamableHTTPError) {
    if (err.code === 429) return rejected('rejectedByRelay');
    if (err.code === 503 || err.code === 502 || err.code === 504) return unavailable;
  }
  return { outcome: 'reset', counter: 'resets', code: 0, retryAfter: 0, served: false };
}
