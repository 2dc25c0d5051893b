/**
 * One agent request while the relay holds it: from `admit` until it settles (answered, cancelled,
 * abandoned, or its session or connector gone). It records what the audit record needs — who
 * asked for what, when it arrived, when it left the tunnel's queue — and builds that record.
 */
import { auditRecord, type AuditRecord, type AuditStatus } from './audit.js';
import { progressToken, type Message, type RequestId } from './jsonrpc.js';
import type { Grant } from './scopes.js';

export interface PendingRequest {
  sid: string;
  id: RequestId;
  method: string;
  tool: string | null;
  start: number;
  /** When it left the tunnel's queue for a slot (undefined while queued or if it never queued). */
  dequeued: number | undefined;
  bytes: number;
  state: 'admitted' | 'queued';
  /** The transport has handed the message over (`fromAgent`); it can be forwarded. */
  body: string | undefined;
  progressToken: string | number | undefined;
  /** The grant of the token this request carried: it alone decides what the request may see. */
  grant: Grant;
}

/** A request just admitted, before the tunnel's admission decides whether it waits. */
export function pendingRequest(sid: string, msg: Message, grant: Grant, method: string, tool: string | null, bytes: number, now: number): PendingRequest {
  return { sid, id: msg.id as RequestId, method, tool, start: now, dequeued: undefined, bytes, state: 'admitted', body: undefined, progressToken: progressToken(msg), grant };
}

/** A queued request got its slot. */
export function dequeue(p: PendingRequest, now: number): void {
  p.state = 'admitted';
  p.dequeued = now;
}

/** The audit record of a request settling at `now`: latency from arrival, and the part spent queued. */
export function settledAudit(p: PendingRequest, who: { tunnel: string; subject: string; session: string }, now: number, status: AuditStatus, responseBytes: number): AuditRecord {
  return auditRecord(p.start, {
    ...who,
    method: p.method,
    tool: p.tool,
    requestId: p.id,
    status,
    latencyMs: now - p.start,
    queueMs: (p.dequeued ?? (p.state === 'queued' ? now : p.start)) - p.start,
    requestBytes: p.bytes,
    responseBytes,
  });
}
