/**
 * Audit records: one JSON line per request through the relay, written whatever the outcome, so an
 * operator can answer "who called what, when, and what happened" without the log ever holding a
 * payload. Sizes are byte counts of the JSON-RPC messages; latency is arrival → answer, of which
 * `queueMs` waited in the tunnel's admission queue for an in-flight slot.
 */
import type { AuthFailure } from './auth.js';

export type AuditStatus =
  | AuthFailure
  // A request that ran its course.
  | 'ok'
  | 'rpc_error'
  | 'cancelled'
  | 'client_gone'
  | 'connector_lost'
  | 'shed'
  | 'session_closed'
  | 'deadline'
  | 'result_too_large'
  // Refused by a limit.
  | 'overloaded'
  | 'subject_session_limit'
  | 'subject_request_limit'
  | 'oversized'
  | 'draining'
  // Refused by a scope or a binding.
  | 'tool_not_allowed'
  | 'read_only'
  | 'session_mismatch'
  | 'unknown_session'
  | 'unknown_tunnel'
  | 'tunnel_offline'
  | 'bad_origin'
  // Refused at the HTTP layer, before any JSON-RPC.
  | 'bad_tunnel_id'
  | 'not_found'
  | 'method_not_allowed'
  | 'not_acceptable'
  | 'unsupported_media_type'
  | 'bad_protocol_version'
  | 'no_session'
  | 'already_initialized'
  | 'malformed_json'
  | 'bad_id'
  | 'duplicate_id'
  | 'stream_conflict'
  | 'bad_http'
  | 'headers_too_large'
  | 'connection_reset'
  // Session lifecycle lines (not JSON-RPC requests).
  | 'session_deleted'
  | 'stream_opened'
  // Connectors and the token endpoint.
  | 'tunnel_taken'
  | 'foreign_session'
  | 'subject_changed'
  | 'invalid_request'
  | 'invalid_client'
  | 'replayed_assertion'
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

/** Somewhere to put audit records: a file, stderr, a test array. */
export interface AuditSink {
  write(record: AuditRecord): void;
  /** Writes out what a batching sink still holds (the relay calls it when it closes). */
  flush?(): void;
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
