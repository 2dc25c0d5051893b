/**
 * One agent session and one tunnel as the relay core holds them, and the step every request ends
 * with (`settle`): free its slot for the next queued request, release its quota, write its audit
 * record. Plain records and functions, so `RelayCore` stays the one place that owns them.
 */
import type { Admission } from './admission.js';
import { auditRecord, type AuditStatus } from './audit.js';
import { RELAY_ERROR, rpcError, type RequestId } from './jsonrpc.js';
import type { Output } from './outputs.js';
import type { SubjectQuota } from './quota.js';
import { dequeue, settledAudit, type PendingRequest } from './request.js';
import type { Grant } from './scopes.js';

export interface Session {
  sid: string;
  tunnel: string;
  grant: Grant;
  /** `scopeKey` of the opening token: every later request's token must have exactly these rights. */
  binding: string;
  quota: SubjectQuota;
  pending: Map<RequestId, PendingRequest>;
  progress: Map<string | number, RequestId>;
  /** Last request or answer, ms; for idle expiry. */
  lastSeen: number;
}

export interface Tunnel {
  id: string;
  admission: Admission<PendingRequest>;
  catalog: Map<string, { readOnly: boolean }>;
  sessions: Set<string>;
}

/**
 * Ends one request: its slot goes to the next waiting request, and it gets its audit record. With
 * shedding on, the release may shed queued requests of any session of the tunnel (`sessions` finds
 * them): each is answered with an overload error and settled as `shed`.
 */
export function settle(s: Session, t: Tunnel | undefined, p: PendingRequest, now: number, status: AuditStatus, responseBytes: number, out: Output[], sessions?: ReadonlyMap<string, Session>): void {
  s.pending.delete(p.id);
  s.quota.requests--;
  if (p.progressToken !== undefined) s.progress.delete(p.progressToken);
  out.push({ kind: 'audit', record: settledAudit(p, { tunnel: s.tunnel, subject: p.grant.subject, session: s.sid }, now, status, responseBytes) });
  if (!t) return;
  if (p.state === 'queued') {
    t.admission.withdraw(p);
    return;
  }
  const next = t.admission.release(now);
  if (t.admission.shed.length > 0) answerShed(t, sessions, now, out);
  if (!next) return;
  dequeue(next, now);
  if (next.body !== undefined) out.push({ kind: 'forward', tunnel: s.tunnel, sid: next.sid, id: next.id, body: next.body });
}

/** Queued requests the tunnel's admission shed for waiting too long: an overload error each, and their audit records. */
function answerShed(t: Tunnel, sessions: ReadonlyMap<string, Session> | undefined, now: number, out: Output[]): void {
  for (const p of t.admission.shed.splice(0)) {
    const owner = sessions?.get(p.sid);
    if (!owner) continue;
    owner.pending.delete(p.id);
    owner.quota.requests--;
    if (p.progressToken !== undefined) owner.progress.delete(p.progressToken);
    out.push({ kind: 'audit', record: settledAudit(p, { tunnel: owner.tunnel, subject: p.grant.subject, session: owner.sid }, now, 'shed', 0) });
    out.push({ kind: 'deliver', sid: owner.sid, message: rpcError(p.id, RELAY_ERROR.shed, `shed: waited ${Math.round(now - p.start)} ms in the relay's queue`) });
  }
}

/** Fails the session's requests older than `limit` ms (they are in arrival order: the scan stops at the first in time). */
export function expireSession(s: Session, t: Tunnel | undefined, now: number, limit: number, out: Output[], sessions?: ReadonlyMap<string, Session>): void {
  for (const p of s.pending.values()) {
    if (now - p.start < limit) break;
    const reached = p.state === 'admitted' && p.body !== undefined;
    settle(s, t, p, now, 'deadline', 0, out, sessions);
    out.push({ kind: 'deliver', sid: s.sid, message: rpcError(p.id, RELAY_ERROR.deadline, `request deadline exceeded: no answer within ${limit} ms`) });
    if (reached) out.push(cancelUpstream(s, p.id, 'relay request deadline exceeded'));
  }
}

export function cancelUpstream(s: Session, id: RequestId, reason: string): Output {
  const cancel = { jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: id, reason } };
  return { kind: 'forward', tunnel: s.tunnel, sid: s.sid, id: null, body: JSON.stringify(cancel) };
}

/** A connector named another tunnel's session: refused, audited, and counted against it. */
export function foreign(tunnel: string, sid: string, frame: string, now: number): Output[] {
  return [
    { kind: 'audit', record: auditRecord(now, { kind: 'connector', tunnel, session: sid, method: frame, status: 'foreign_session' }) },
    { kind: 'strike', tunnel },
  ];
}
