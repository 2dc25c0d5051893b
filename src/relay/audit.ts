/**
 * Audit records: one JSON line per request through the relay, written whatever the outcome, so an
 * operator can answer "who called what, when, and what happened" without the log ever holding a
 * payload. Sizes are byte counts of the JSON-RPC messages; latency is arrival → answer, of which
 * `queueMs` waited in the tunnel's admission queue for an in-flight slot.
 */
import type { AuthFailure } from './auth.js';

export type AuditStatus =
  | AuthFailure
  | 'ok'
  | 'rpc_error'
  | 'cancelled'
  | 'client_gone'
  | 'connector_lost'
  | 'overloaded'
  | 'shed'
  | 'session_closed'
  | 'unknown_tunnel'
  | 'tunnel_offline'
  | 'unknown_session'
  | 'malformed_json'
  | 'duplicate_id'
  | 'oversized'
  | 'draining'
  | 'tool_not_allowed'
  | 'read_only'
  | 'stale_timestamp'
  | 'replayed_nonce';

export interface AuditRecord {
  /** ISO-8601 time the request arrived. */
  time: string;
  /** `agent` for MCP traffic, `connector` for connector connections and frames they rejected. */
  kind: 'agent' | 'connector';
  tunnel: string | null;
  subject: string | null;
  session: string | null;
  method: string | null;
  tool: string | null;
  requestId: string | number | null;
  status: AuditStatus;
  /** HTTP status the agent saw, when the outcome was an HTTP answer rather than a JSON-RPC one. */
  http: number | null;
  latencyMs: number;
  /** Time the request waited in the tunnel's queue before it was forwarded (0: it never queued). */
  queueMs: number;
  requestBytes: number;
  responseBytes: number;
}

/** Somewhere to put audit records: a file, stdout, a test array. */
export interface AuditSink {
  write(record: AuditRecord): void;
}

/** A record with every field present, defaults filled in. */
export function auditRecord(start: number, fields: Partial<AuditRecord> & Pick<AuditRecord, 'status'>): AuditRecord {
  return {
    time: new Date(start).toISOString(),
    kind: 'agent',
    tunnel: null,
    subject: null,
    session: null,
    method: null,
    tool: null,
    requestId: null,
    http: null,
    latencyMs: 0,
    queueMs: 0,
    requestBytes: 0,
    responseBytes: 0,
    ...fields,
  };
}

/** One line of the audit log. */
export function auditLine(r: AuditRecord): string {
  return `${JSON.stringify(r)}\n`;
}
