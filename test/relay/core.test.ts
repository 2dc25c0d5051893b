import { describe, expect, it } from 'vitest';
import { RelayCore, RELAY_ERROR, type Output } from '../../src/relay/core.js';
import { parseScope, type Grant } from '../../src/relay/scopes.js';

function grant(tunnel: string, scope = 'tunnel:use', subject = 'a'): Grant {
  return { subject, tunnel, ...parseScope(scope), expiresAt: 1e15 };
}
const call = (id: number, tool = 'echo') => ({ jsonrpc: '2.0', id, method: 'tools/call', params: { name: tool, arguments: {} } });
const result = (id: number, extra: object = {}) => JSON.stringify({ jsonrpc: '2.0', id, result: { content: [], ...extra } });
const kinds = (out: Output[]) => out.map((o) => o.kind);

// The grant each test session was opened with: requests carry the same token.
const grants = new Map<string, Grant>();
function open(core: RelayCore, sid: string, g: Grant, now = 0): Output[] {
  grants.set(sid, g);
  return core.openSession(sid, g, now);
}

function send(core: RelayCore, sid: string, msg: Record<string, unknown>, now = 0): Output[] {
  const a = core.admit(sid, msg, 10, now, grants.get(sid) as Grant);
  if (a.kind !== 'ok') throw new Error(a.kind);
  return core.fromAgent(sid, msg, JSON.stringify(msg), now);
}

describe('RelayCore', () => {
  it('forwards a request to its tunnel and delivers the answer only to the session that sent it', () => {
    const core = new RelayCore();
    core.connectorUp('t1');
    open(core, 's1', grant('t1'), 0);
    open(core, 's2', grant('t1'), 0);
    expect(send(core, 's1', call(1))).toEqual([{ kind: 'forward', tunnel: 't1', sid: 's1', id: 1, body: JSON.stringify(call(1)) }]);
    // The same id answered into another session is dropped: s2 never asked.
    expect(core.fromConnector('t1', 's2', result(1), 5)).toEqual([]);
    const out = core.fromConnector('t1', 's1', result(1), 7);
    expect(kinds(out)).toEqual(['audit', 'deliver']);
    expect(out[0]).toMatchObject({ record: { status: 'ok', latencyMs: 7, tool: 'echo', requestId: 1, session: 's1' } });
    expect(out[1]).toMatchObject({ sid: 's1', message: { id: 1 } });
  });

  it('refuses, audits and counts a connector speaking into another tunnel’s session', () => {
    const core = new RelayCore();
    core.connectorUp('t1');
    core.connectorUp('t2');
    open(core, 's1', grant('t1'), 0);
    send(core, 's1', call(1));
    const foreign = [
      { kind: 'audit', record: expect.objectContaining({ kind: 'connector', tunnel: 't2', status: 'foreign_session' }) },
      { kind: 'strike', tunnel: 't2' },
    ];
    expect(core.fromConnector('t2', 's1', result(1), 1)).toEqual(foreign);
    expect(core.connectorClosed('t2', 's1', 1)).toEqual(foreign);
    expect(core.rejectedByConnector('t2', 's1', 1, 'bad_signature', 1)).toEqual(foreign);
    expect(core.tooLarge('t2', 's1', 1, 5, 1)).toEqual(foreign);
    expect(core.session('s1')).toBeDefined();
    expect(core.inFlight('t1')).toBe(1);
  });

  it('queues past maxInFlight, rejects past the queue, and serves the queue FIFO', () => {
    const core = new RelayCore({ maxInFlight: 1, queue: 1 });
    core.connectorUp('t');
    open(core, 's', grant('t'), 0);
    expect(kinds(send(core, 's', call(1)))).toEqual(['forward']);
    expect(send(core, 's', call(2))).toEqual([]);
    expect(core.admit('s', call(3), 10, 0, grants.get('s') as Grant)).toMatchObject({ kind: 'overloaded', audit: { status: 'overloaded', http: 429 } });
    const out = core.fromConnector('t', 's', result(1), 1);
    expect(out.filter((o) => o.kind === 'forward')).toEqual([{ kind: 'forward', tunnel: 't', sid: 's', id: 2, body: JSON.stringify(call(2)) }]);
  });

  it('audits how long each request waited in the queue: 0 when it never queued', () => {
    const core = new RelayCore({ maxInFlight: 1, queue: 2 });
    core.connectorUp('t');
    open(core, 's', grant('t'), 0);
    send(core, 's', call(1), 10);
    send(core, 's', call(2), 12);
    send(core, 's', call(3), 15);
    const audit = (out: Output[]) => out.find((o) => o.kind === 'audit') as Extract<Output, { kind: 'audit' }>;
    // 1 never queued; 2 waits from 12 until 1 is answered at 40; 3 from 15 until 2 is answered at 70.
    expect(audit(core.fromConnector('t', 's', result(1), 40)).record).toMatchObject({ requestId: 1, queueMs: 0, latencyMs: 30 });
    expect(audit(core.fromConnector('t', 's', result(2), 70)).record).toMatchObject({ requestId: 2, queueMs: 28, latencyMs: 58 });
    // Cancelled while still queued: it waited until the cancel.
    send(core, 's', call(4), 80);
    const cancel = { jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 4 } };
    expect(audit(core.fromAgent('s', cancel, JSON.stringify(cancel), 95)).record).toMatchObject({ requestId: 4, status: 'cancelled', queueMs: 15 });
    expect(audit(core.fromConnector('t', 's', result(3), 100)).record).toMatchObject({ requestId: 3, queueMs: 55, latencyMs: 85 });
  });

  it('cancels a queued request without forwarding anything, and frees a forwarded one at once', () => {
    const core = new RelayCore({ maxInFlight: 1, queue: 4 });
    core.connectorUp('t');
    open(core, 's', grant('t'), 0);
    send(core, 's', call(1));
    send(core, 's', call(2));
    const cancel = (id: number) => ({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: id } });
    const c2 = core.fromAgent('s', cancel(2), JSON.stringify(cancel(2)), 1);
    expect(kinds(c2)).toEqual(['audit']);
    const c1 = core.fromAgent('s', cancel(1), JSON.stringify(cancel(1)), 2);
    expect(kinds(c1)).toEqual(['audit', 'forward']);
    expect(core.inFlight('t')).toBe(0);
    expect(core.fromConnector('t', 's', result(1), 3)).toEqual([]);
  });

  it('fails every in-flight request with a JSON-RPC error when the connector drops', () => {
    const core = new RelayCore();
    core.connectorUp('t');
    open(core, 's', grant('t'), 0);
    send(core, 's', call(1));
    send(core, 's', call(2));
    const out = core.connectorDown('t', 50);
    const delivered = out.filter((o) => o.kind === 'deliver');
    expect(delivered.map((d) => (d as any).message.error.code)).toEqual([RELAY_ERROR.connectorLost, RELAY_ERROR.connectorLost]);
    expect(out.filter((o) => o.kind === 'audit').map((a) => (a as any).record.status)).toEqual(['connector_lost', 'connector_lost']);
    expect(out[out.length - 1]).toEqual({ kind: 'endSession', sid: 's' });
    // A served tunnel whose connector is away is offline (503 + Retry-After), not unknown (404).
    expect(core.state('t')).toBe('offline');
  });

  it('answers a frame the connector rejected with an error and an audit record', () => {
    const core = new RelayCore();
    core.connectorUp('t');
    open(core, 's', grant('t'), 0);
    send(core, 's', call(1));
    const out = core.rejectedByConnector('t', 's', 1, 'bad_signature', 2);
    expect(out[0]).toMatchObject({ kind: 'audit', record: { status: 'bad_signature' } });
    expect(out[1]).toMatchObject({ kind: 'deliver', message: { id: 1, error: { code: RELAY_ERROR.frameRejected } } });
  });

  it('filters tools/list to the grant and refuses calls outside it', () => {
    const core = new RelayCore();
    core.connectorUp('t');
    open(core, 's', grant('t', 'tunnel:use tunnel:read-only'), 0);
    const list = { jsonrpc: '2.0', id: 1, method: 'tools/list' };
    send(core, 's', list);
    const tools = [{ name: 'read', annotations: { readOnlyHint: true } }, { name: 'write' }];
    const out = core.fromConnector('t', 's', result(1, { tools }), 1);
    expect((out[1] as any).message.result.tools).toEqual([tools[0]]);
    expect(core.admit('s', call(2, 'write'), 1, 2, grants.get('s') as Grant)).toMatchObject({ kind: 'deny', reason: 'read_only' });
    expect(core.admit('s', call(3, 'read'), 1, 2, grants.get('s') as Grant)).toEqual({ kind: 'ok' });
  });

  it('knows configured tunnels that have no connector as offline, others as unknown', () => {
    const core = new RelayCore({ tunnels: ['a'] });
    expect(core.state('a')).toBe('offline');
    expect(core.state('b')).toBe('unknown');
    expect(core.accepts('b')).toBe(false);
  });

  it('refuses a second request with an id still in flight in the same session', () => {
    const core = new RelayCore();
    core.connectorUp('t');
    open(core, 's', grant('t'), 0);
    send(core, 's', call(1));
    expect(core.admit('s', call(1), 10, 1, grants.get('s') as Grant)).toMatchObject({ kind: 'duplicate', audit: { status: 'duplicate_id' } });
    core.fromConnector('t', 's', result(1), 2);
    expect(core.admit('s', call(1), 10, 3, grants.get('s') as Grant)).toEqual({ kind: 'ok' });
  });

  it('abandons a request whose stream closed: slot freed, upstream told to cancel, queued ones dropped quietly', () => {
    const core = new RelayCore({ maxInFlight: 1, queue: 1 });
    core.connectorUp('t');
    open(core, 's', grant('t'), 0);
    send(core, 's', call(1));
    send(core, 's', call(2));
    const queued = core.abandon('s', 2, 5);
    expect(kinds(queued)).toEqual(['audit']);
    const out = core.abandon('s', 1, 6);
    expect(out[0]).toMatchObject({ kind: 'audit', record: { status: 'client_gone', requestId: 1 } });
    expect(JSON.parse((out[1] as any).body)).toMatchObject({ method: 'notifications/cancelled', params: { requestId: 1 } });
    expect(core.inFlight('t')).toBe(0);
  });

  it('expires sessions idle past idleMs unless busy or waiting for an answer', () => {
    const core = new RelayCore();
    core.connectorUp('t');
    open(core, 'idle', grant('t'), 0);
    open(core, 'streaming', grant('t'), 0);
    open(core, 'waiting', grant('t'), 0);
    send(core, 'waiting', call(1), 0);
    const out = core.expireIdle(1000, 1000, (sid) => sid === 'streaming');
    expect(out.filter((o) => o.kind === 'close')).toEqual([{ kind: 'close', tunnel: 't', sid: 'idle' }]);
    expect(core.session('idle')).toBeUndefined();
    expect(core.session('waiting')).toBeDefined();
  });

  it('binds a session to its subject and rights: another subject looks unknown, other rights are a mismatch', () => {
    const core = new RelayCore();
    core.connectorUp('t');
    open(core, 's', grant('t', 'tunnel:use'));
    expect(core.bind('s', 't', grant('t', 'tunnel:use'))).toBe('ok');
    expect(core.bind('s', 't', grant('t', 'tunnel:use', 'mallory'))).toBe('unknown_session');
    expect(core.bind('s', 'u', grant('u', 'tunnel:use'))).toBe('unknown_session');
    expect(core.bind('s', 't', grant('t', 'tunnel:use tool:echo'))).toBe('session_mismatch');
    expect(core.bind('s', 't', grant('t', 'tunnel:use tunnel:read-only'))).toBe('session_mismatch');
    expect(core.bind('nope', 't', grant('t'))).toBe('unknown_session');
  });

  it('judges a tools/call by the grant of the request that carries it', () => {
    const core = new RelayCore();
    core.connectorUp('t');
    open(core, 's', grant('t', 'tunnel:use'));
    expect(core.admit('s', call(1, 'slow'), 1, 0, grant('t', 'tunnel:use tool:echo'))).toMatchObject({ kind: 'deny', reason: 'tool_not_allowed' });
  });

  it('counts sessions and requests per subject, and forgets a subject with nothing open', () => {
    const core = new RelayCore({ maxSessionsPerSubject: 2, maxRequestsPerSubject: 2 });
    core.connectorUp('t');
    open(core, 'a1', grant('t', 'tunnel:use', 'a'));
    open(core, 'a2', grant('t', 'tunnel:use', 'a'));
    expect(core.sessionRefusal(grant('t', 'tunnel:use', 'a'))).toBe('subject_session_limit');
    expect(core.sessionRefusal(grant('t', 'tunnel:use', 'b'))).toBeUndefined();
    send(core, 'a1', call(1));
    send(core, 'a2', call(2));
    expect(core.admit('a1', call(3), 1, 0, grants.get('a1') as Grant)).toMatchObject({ kind: 'overloaded', audit: { status: 'subject_request_limit', http: 429 } });
    core.fromConnector('t', 'a1', result(1), 1);
    expect(core.admit('a1', call(3), 1, 1, grants.get('a1') as Grant)).toEqual({ kind: 'ok' });
    expect(core.subjectCount).toBe(1);
    core.closeSession('a1', 2);
    core.closeSession('a2', 2);
    expect(core.subjectCount).toBe(0);
  });

  it('fails requests past their deadline in arrival order, cancelling upstream only what reached it', () => {
    const core = new RelayCore({ maxInFlight: 1, queue: 4, requestTimeoutMs: 100 });
    core.connectorUp('t');
    open(core, 's', grant('t'));
    send(core, 's', call(1), 0);
    send(core, 's', call(2), 50); // queued behind 1
    expect(core.expireDeadlines(99)).toEqual([]);
    const out = core.expireDeadlines(100);
    expect(out.filter((o) => o.kind === 'audit').map((a) => (a as any).record.status)).toEqual(['deadline']);
    expect((out.find((o) => o.kind === 'deliver') as any).message).toMatchObject({ id: 1, error: { code: RELAY_ERROR.deadline } });
    expect(out.filter((o) => o.kind === 'forward').map((f) => JSON.parse((f as any).body))).toEqual([
      call(2), // 2 takes the freed slot
      { jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 1, reason: 'relay request deadline exceeded' } },
    ]);
    const later = core.expireDeadlines(150);
    expect(later.filter((o) => o.kind === 'forward')).toHaveLength(1); // 2 reached upstream when it got the slot
    expect(core.inFlight('t')).toBe(0);
  });

  it('fails just the one request whose answer is too large for a frame', () => {
    const core = new RelayCore({ maxFrameBytes: 4096 });
    core.connectorUp('t');
    open(core, 's', grant('t'));
    send(core, 's', call(1));
    send(core, 's', call(2));
    const out = core.tooLarge('t', 's', 1, 9000, 5);
    expect(out[0]).toMatchObject({ kind: 'audit', record: { status: 'result_too_large', requestId: 1 } });
    expect((out[1] as any).message.error).toMatchObject({ code: RELAY_ERROR.resultTooLarge, message: expect.stringContaining('9000 bytes, the frame limit is 4096') });
    expect(kinds(core.fromConnector('t', 's', result(2), 6))).toEqual(['audit', 'deliver']);
  });

  it('lets the tunnel’s holder keep it: a second connectorUp is refused until the first goes down', () => {
    const core = new RelayCore();
    expect(core.connectorUp('t')).toBe(true);
    expect(core.connectorUp('t')).toBe(false);
    core.connectorDown('t', 0);
    expect(core.connectorUp('t')).toBe(true);
  });

  it('relates a server request to the agent request it came with, only within the same session', () => {
    const core = new RelayCore();
    core.connectorUp('t');
    open(core, 's', grant('t'));
    open(core, 'o', grant('t'));
    send(core, 's', call(1));
    const ask = JSON.stringify({ jsonrpc: '2.0', id: 'srv-1', method: 'sampling/createMessage', params: {} });
    expect(core.fromConnector('t', 's', ask, 1, 1)).toMatchObject([{ kind: 'deliver', sid: 's', relatedRequestId: 1 }]);
    expect(core.fromConnector('t', 'o', ask, 1, 1)).toMatchObject([{ kind: 'deliver', sid: 'o', relatedRequestId: undefined }]);
  });
});

