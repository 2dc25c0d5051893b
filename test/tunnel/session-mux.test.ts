// The shared upstream's bookkeeping, message by message: every answer to the session that asked,
// under its own id; one initialize; nothing unattributable reaches a session.
import { describe, expect, it } from 'vitest';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { MAX_SUBSCRIPTIONS, SessionMux, UNROUTABLE, type MuxOut } from '../../src/tunnel/session-mux.js';

const m = (x: Record<string, unknown>) => ({ jsonrpc: '2.0', ...x }) as unknown as JSONRPCMessage;
const up = (outs: MuxOut<string>[]) => outs.filter((o) => o.to === 'upstream').map((o) => o.msg as Record<string, unknown>);
const to = (outs: MuxOut<string>[]) => outs.map((o) => (o.to === 'session' ? [o.port, o.msg] : ['upstream', o.msg]));

function ready(...ports: string[]): SessionMux<string> {
  const mux = new SessionMux<string>();
  for (const p of ports) mux.attach(p);
  const [sent] = up(mux.fromSession(ports[0], m({ id: 0, method: 'initialize', params: { protocolVersion: '2025-06-18' } })));
  mux.fromUpstream(m({ id: sent.id, result: { protocolVersion: '2025-06-18', capabilities: {} } }));
  mux.fromSession(ports[0], m({ method: 'notifications/initialized' }));
  return mux;
}

describe('SessionMux', () => {
  it('gives two sessions that use the same id distinct upstream ids, and each answer only to its asker, under its own id', () => {
    const mux = ready('a', 'b');
    const [fromA] = up(mux.fromSession('a', m({ id: 1, method: 'tools/call', params: { name: 'echo' } })));
    const [fromB] = up(mux.fromSession('b', m({ id: 1, method: 'tools/call', params: { name: 'echo' } })));
    expect(fromA.id).not.toBe(fromB.id);
    expect(mux.inFlight).toBe(2);
    // Answered in the other order: each still goes home.
    expect(to(mux.fromUpstream(m({ id: fromB.id, result: { who: 'b' } })))).toEqual([['b', m({ id: 1, result: { who: 'b' } })]]);
    expect(to(mux.fromUpstream(m({ id: fromA.id, result: { who: 'a' } })))).toEqual([['a', m({ id: 1, result: { who: 'a' } })]]);
    expect(mux.inFlight).toBe(0);
    // An answer to nothing, or a second answer, goes nowhere.
    expect(mux.fromUpstream(m({ id: fromA.id, result: {} }))).toEqual([]);
  });

  it('initializes the upstream once: later sessions are answered from its result, and one initialized goes up', () => {
    const mux = new SessionMux<string>();
    mux.attach('a');
    mux.attach('b');
    const first = up(mux.fromSession('a', m({ id: 'x', method: 'initialize', params: {} })));
    expect(first).toHaveLength(1);
    // b asks while a's initialize is in flight: it waits for the same answer.
    expect(mux.fromSession('b', m({ id: 7, method: 'initialize', params: {} }))).toEqual([]);
    const result = { protocolVersion: '2025-06-18', capabilities: { tools: {} }, serverInfo: { name: 's', version: '1' } };
    expect(to(mux.fromUpstream(m({ id: first[0].id, result })))).toEqual([
      ['a', m({ id: 'x', result })],
      ['b', m({ id: 7, result })],
    ]);
    expect(up(mux.fromSession('a', m({ method: 'notifications/initialized' })))).toHaveLength(1);
    expect(mux.fromSession('b', m({ method: 'notifications/initialized' }))).toEqual([]);
    mux.attach('c');
    expect(to(mux.fromSession('c', m({ id: 3, method: 'initialize', params: {} })))).toEqual([['c', m({ id: 3, result })]]);
  });

  it('passes a refused initialize on without keeping it, so the next session asks again', () => {
    const mux = new SessionMux<string>();
    mux.attach('a');
    mux.attach('b');
    const [sent] = up(mux.fromSession('a', m({ id: 1, method: 'initialize', params: {} })));
    const error = { code: -32602, message: 'unsupported' };
    expect(to(mux.fromUpstream(m({ id: sent.id, error })))).toEqual([['a', m({ id: 1, error })]]);
    expect(up(mux.fromSession('b', m({ id: 1, method: 'initialize', params: {} })))).toHaveLength(1);
  });

  it('renames progress tokens, so progress reaches only the session that asked for it, under its own token', () => {
    const mux = ready('a', 'b');
    const [sa] = up(mux.fromSession('a', m({ id: 1, method: 'tools/call', params: { name: 'slow', _meta: { progressToken: 5 } } })));
    const [sb] = up(mux.fromSession('b', m({ id: 1, method: 'tools/call', params: { name: 'slow', _meta: { progressToken: 5 } } })));
    const ta = (sa.params as { _meta: { progressToken: number } })._meta.progressToken;
    const tb = (sb.params as { _meta: { progressToken: number } })._meta.progressToken;
    expect(ta).not.toBe(tb);
    expect(to(mux.fromUpstream(m({ method: 'notifications/progress', params: { progressToken: tb, progress: 1 } })))).toEqual([
      ['b', m({ method: 'notifications/progress', params: { progressToken: 5, progress: 1 } })],
    ]);
    expect(mux.fromUpstream(m({ method: 'notifications/progress', params: { progressToken: 999, progress: 1 } }))).toEqual([]);
  });

  it("cancels only a session's own requests, renamed to the upstream's ids", () => {
    const mux = ready('a', 'b');
    const [sa] = up(mux.fromSession('a', m({ id: 1, method: 'tools/call', params: {} })));
    expect(up(mux.fromSession('a', m({ method: 'notifications/cancelled', params: { requestId: 1 } })))).toEqual([
      { jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: sa.id } },
    ]);
    // b has no request 1 of its own: its cancellation must not reach a's.
    expect(mux.fromSession('b', m({ method: 'notifications/cancelled', params: { requestId: 1 } }))).toEqual([]);
    // A cancelled request is forgotten at once (a server may never answer it), and a late answer goes nowhere.
    expect(mux.inFlight).toBe(0);
    expect(mux.fromUpstream(m({ id: sa.id, result: {} }))).toEqual([]);
  });

  it('sends list changes to every session and drops the unattributable rest, log messages above all', () => {
    const mux = ready('a', 'b');
    expect(to(mux.fromUpstream(m({ method: 'notifications/tools/list_changed' }))).map(([p]) => p)).toEqual(['a', 'b']);
    expect(mux.fromUpstream(m({ method: 'notifications/message', params: { level: 'info', data: "a's secret" } }))).toEqual([]);
    expect(mux.fromUpstream(m({ method: 'notifications/cancelled', params: { requestId: 1 } }))).toEqual([]);
  });

  it('answers upstream requests itself: ping for real, anything that would need a session with an error', () => {
    const mux = ready('a');
    expect(to(mux.fromUpstream(m({ id: 'p', method: 'ping' })))).toEqual([['upstream', m({ id: 'p', result: {} })]]);
    const [answer] = up(mux.fromUpstream(m({ id: 9, method: 'sampling/createMessage', params: {} })));
    expect(answer).toMatchObject({ id: 9, error: { code: UNROUTABLE } });
    // Answers from sessions to upstream requests are never passed on (none was ever sent to them).
    expect(mux.fromSession('a', m({ id: 9, result: {} }))).toEqual([]);
  });

  it('cancels upstream what a departing session had in flight, and ignores it afterwards', () => {
    const mux = ready('a', 'b');
    const [s1] = up(mux.fromSession('a', m({ id: 1, method: 'tools/call', params: {} })));
    const [s2] = up(mux.fromSession('a', m({ id: 2, method: 'tools/call', params: {} })));
    up(mux.fromSession('b', m({ id: 1, method: 'tools/call', params: {} })));
    const done = up(mux.fromSession('a', m({ id: 3, method: 'tools/call', params: {} })));
    mux.fromUpstream(m({ id: done[0].id, result: {} }));
    expect(up(mux.detach('a')).map((x) => (x.params as { requestId: number }).requestId)).toEqual([s1.id, s2.id]);
    expect(mux.inFlight).toBe(1);
    expect(mux.fromUpstream(m({ id: s1.id, result: {} }))).toEqual([]);
    expect(mux.fromSession('a', m({ id: 4, method: 'tools/call', params: {} }))).toEqual([]);
  });

  it('sends a resource update only to the sessions subscribed to it, and unsubscribes upstream only when the last one leaves', () => {
    const mux = ready('a', 'b', 'c');
    const sub = (p: string, id: number, uri: string) => mux.fromSession(p, m({ id, method: 'resources/subscribe', params: { uri } }));
    const unsub = (p: string, id: number, uri: string) => mux.fromSession(p, m({ id, method: 'resources/unsubscribe', params: { uri } }));
    for (const [p, uri] of [['a', 'x://1'], ['b', 'x://1'], ['c', 'x://2']]) {
      const [sent] = up(sub(p, 1, uri));
      mux.fromUpstream(m({ id: sent.id, result: {} }));
    }
    const updated = (uri: string) => to(mux.fromUpstream(m({ method: 'notifications/resources/updated', params: { uri } }))).map(([p]) => p);
    expect(updated('x://1')).toEqual(['a', 'b']);
    expect(updated('x://2')).toEqual(['c']);
    expect(updated('x://3')).toEqual([]);
    // a leaves x://1: answered here, b still gets its updates; c's unsubscribe of what it never held touches nothing.
    expect(to(unsub('a', 2, 'x://1'))).toEqual([['a', m({ id: 2, result: {} })]]);
    expect(to(unsub('c', 2, 'x://1'))).toEqual([['c', m({ id: 2, result: {} })]]);
    expect(updated('x://1')).toEqual(['b']);
    // b, the last subscriber, unsubscribes: now it goes upstream.
    const [last] = up(unsub('b', 2, 'x://1'));
    expect(last).toMatchObject({ method: 'resources/unsubscribe', params: { uri: 'x://1' } });
    expect(to(mux.fromUpstream(m({ id: last.id, result: {} })))).toEqual([['b', m({ id: 2, result: {} })]]);
    // c leaves while subscribed: the mux unsubscribes for it, and the answer goes to nobody.
    const [gone] = up(mux.detach('c'));
    expect(gone).toMatchObject({ method: 'resources/unsubscribe', params: { uri: 'x://2' } });
    expect(mux.fromUpstream(m({ id: gone.id, result: {} }))).toEqual([]);
    expect(mux.inFlight).toBe(0);
  });

  it('bounds the subscriptions one session may hold', () => {
    const mux = ready('a');
    for (let i = 0; i < MAX_SUBSCRIPTIONS; i++) expect(up(mux.fromSession('a', m({ id: i + 1, method: 'resources/subscribe', params: { uri: `x://${i}` } })))).toHaveLength(1);
    const [[, refused]] = to(mux.fromSession('a', m({ id: 9999, method: 'resources/subscribe', params: { uri: 'x://more' } })));
    expect(refused).toMatchObject({ id: 9999, error: { code: -32000 } });
    // Subscribing again to one it holds is not a new one.
    expect(up(mux.fromSession('a', m({ id: 10000, method: 'resources/subscribe', params: { uri: 'x://0' } })))).toHaveLength(1);
  });
});
