import { describe, expect, it } from 'vitest';
import { RelayCore, RELAY_ERROR, type Output } from '../../src/relay/core.js';
import { parseScope } from '../../src/relay/scopes.js';

const call = (id: number) => ({ jsonrpc: '2.0', id, method: 'tools/call', params: { name: 'echo', arguments: {} } });
const result = (id: number) => JSON.stringify({ jsonrpc: '2.0', id, result: { content: [] } });

describe('RelayCore load shedding', () => {
  it('answers a queued request that waited past its limit with an overload error and a shed audit record', () => {
    const core = new RelayCore({ maxInFlight: 1, queue: 8, shedding: { kind: 'codel', target: 5, interval: 100 } });
    core.connectorUp('t');
    const grant = { subject: 'a', tunnel: 't', ...parseScope('tunnel:use'), expiresAt: 1e15 };
    core.openSession('s', grant, 0);
    const send = (id: number, now: number) => {
      expect(core.admit('s', call(id), 10, now, grant).kind).toBe('ok');
      return core.fromAgent('s', call(id), JSON.stringify(call(id)), now);
    };
    send(1, 0);
    send(2, 0); // may wait 100 ms
    send(3, 150); // a standing queue: 5 ms
    const out: Output[] = core.fromConnector('t', 's', result(1), 160);
    const audits = out.filter((o) => o.kind === 'audit').map((o) => (o as { record: { requestId: unknown; status: string } }).record);
    expect(audits).toEqual([expect.objectContaining({ requestId: 1, status: 'ok' }), expect.objectContaining({ requestId: 2, status: 'shed', queueMs: 160 }), expect.objectContaining({ requestId: 3, status: 'shed' })]);
    const delivered = out.filter((o) => o.kind === 'deliver').map((o) => (o as unknown as { message: { id: number; error?: { code: number } } }).message);
    expect(delivered.map((m) => [m.id, m.error?.code]).sort()).toEqual([[1, undefined], [2, RELAY_ERROR.shed], [3, RELAY_ERROR.shed]]);
    // Nothing is left in flight or queued: the shed requests are settled.
    expect(core.totalInFlight()).toBe(0);
    expect(core.fromConnector('t', 's', result(2), 170)).toEqual([]);
  });

  it('never sheds a session\'s own requests: a queued tools/list waits its turn', () => {
    const core = new RelayCore({ maxInFlight: 1, queue: 8, shedding: { kind: 'codel', target: 5, interval: 100 } });
    core.connectorUp('t');
    const grant = { subject: 'a', tunnel: 't', ...parseScope('tunnel:use'), expiresAt: 1e15 };
    core.openSession('s', grant, 0);
    const list = { jsonrpc: '2.0', id: 2, method: 'tools/list', params: {} };
    expect(core.admit('s', call(1), 10, 0, grant).kind).toBe('ok');
    core.fromAgent('s', call(1), JSON.stringify(call(1)), 0);
    expect(core.admit('s', list, 10, 0, grant).kind).toBe('ok');
    core.fromAgent('s', list, JSON.stringify(list), 0);
    // Long past any allowed wait: the list is forwarded, not shed.
    const out = core.fromConnector('t', 's', result(1), 1000);
    expect(out.some((o) => o.kind === 'audit' && (o as { record: { status: string } }).record.status === 'shed')).toBe(false);
    expect(out.some((o) => o.kind === 'forward' && (o as { body?: string }).body === JSON.stringify(list))).toBe(true);
  });
});
