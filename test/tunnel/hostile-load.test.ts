// The relay under 10,000 hostile requests (issue 14, "Done when"): every kind of refusal the audit
// found, interleaved, while a legitimate agent keeps calling. The relay must stay up, answer each
// hostile request with its refusal and one audit line, keep serving the agent, and hold its memory
// and its bookkeeping bounded.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from 'node:net';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { AuditRecord, AuditSink } from '../../src/relay/audit.js';
import { Harness, INIT, rawPost, sessionOf } from './harness.js';
import { mintToken } from '../../src/tunnel/tokens.js';

/** Counts audit lines by status without keeping them (keeping 10,000 records would be the memory under test). */
class CountingSink implements AuditSink {
  readonly byStatus = new Map<string, number>();
  total = 0;
  write(r: AuditRecord): void {
    this.total++;
    this.byStatus.set(r.status, (this.byStatus.get(r.status) ?? 0) + 1);
  }
}

// Retained memory, not garbage not yet collected: heapUsed after a full collection. The test worker
// runs without --expose-gc, so the flag is set at run time and `gc` fetched from a fresh context.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
function retainedHeap(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

function garbage(port: number): Promise<void> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1', () => s.write('\x16\x03\x01 not http at all\r\n\r\n'));
    s.on('data', () => undefined);
    s.on('error', () => resolve());
    s.on('close', () => resolve());
  });
}

describe('the relay under 10,000 hostile requests', () => {
  const sink = new CountingSink();
  const h = new Harness();
  beforeAll(async () => {
    await h.start({ audit: sink, maxFrameBytes: 8192, maxSessionsPerSubject: 16 });
    await h.connector('alpha', { kind: 'mock', tools: { quick: { serviceMs: () => 1, resultTokens: () => 10 }, slow: { serviceMs: () => 50, resultTokens: () => 10 } } });
  });
  afterAll(async () => h.closeAll());

  it('stays up, refuses and audits each one, keeps serving the agent, with bounded memory', async () => {
    const mcp = `${h.url}/t/alpha/mcp`;
    const agent = await h.client('alpha', await h.token({ tunnel: 'alpha', subject: 'agent' }));
    const victim = sessionOf(agent);
    const mallory = await h.token({ tunnel: 'alpha', subject: 'mallory' });
    const narrowed = await h.token({ tunnel: 'alpha', subject: 'agent', tools: ['quick'] });
    const forged = await mintToken(new TextEncoder().encode('forged-key-forged-key-forged-key!!'), { tunnel: 'alpha', roles: ['use'] });
    const inVictim = { 'mcp-session-id': victim, 'mcp-protocol-version': '2025-06-18' };
    const callBody = (id: string) => `{"jsonrpc":"2.0","id":${id},"method":"tools/call","params":{"name":"quick","arguments":{}}}`;
    const kinds: (() => Promise<unknown>)[] = [
      () => rawPost(mcp, undefined, INIT), // 401 missing_token
      () => rawPost(mcp, forged, INIT), // 401 bad_signature
      () => rawPost(`${h.url}/t/..%2F..%2Fetc/mcp`, mallory, INIT), // 404 bad_tunnel_id
      () => rawPost(mcp, mallory, '{"jsonrpc": "2.0", "id": 1, "method": '), // 400 malformed_json
      () => rawPost(mcp, mallory, { ...INIT, params: { pad: 'x'.repeat(9000) } }), // 413 oversized
      () => rawPost(mcp, mallory, callBody('1e400')), // 400 bad_id
      () => rawPost(mcp, mallory, INIT, { Origin: 'http://evil.example' }), // 403 bad_origin
      () => rawPost(mcp, mallory, callBody('7'), inVictim), // 404 unknown_session: another subject's session
      () => rawPost(mcp, narrowed, callBody('8'), inVictim), // 403 session_mismatch
      () => rawPost(mcp, mallory, INIT), // 200 for the first 16, then 429 subject_session_limit
      () => fetch(`${h.url}/nope`), // 404 not_found
      () => garbage(h.relay.port), // 400 bad_http
    ];
    const N = 10_000;
    const before = sink.total;
    await agent.callTool({ name: 'quick', arguments: {} }); // warm, so the heap baseline includes the agent path
    const heapBefore = retainedHeap();
    let next = 0;
    let agentCalls = 0;
    const worker = async () => {
      while (next < N) {
        const i = next++;
        const r = await kinds[i % kinds.length]();
        if (r instanceof Response) await r.body?.cancel();
        if (i % 500 === 0) {
          expect((await agent.callTool({ name: 'quick', arguments: {} })).isError).toBeFalsy();
          agentCalls++;
        }
      }
    };
    await Promise.all(Array.from({ length: 32 }, worker));

    // Still up and still serving.
    expect((await fetch(`${h.url}/healthz`)).status).toBe(200);
    expect((await agent.callTool({ name: 'slow', arguments: {} })).isError).toBeFalsy();
    expect(h.relay.stats().connectors).toBe(1);
    // One audit line per hostile request (plus the agent's own calls), each refusal under its own word.
    for (let i = 0; i < 50 && sink.total - before < N; i++) await new Promise((r) => setTimeout(r, 20));
    expect(sink.total - before).toBeGreaterThanOrEqual(N);
    expect(sink.total - before).toBeLessThanOrEqual(N + agentCalls + 4);
    for (const s of ['missing_token', 'bad_signature', 'bad_tunnel_id', 'malformed_json', 'oversized', 'bad_id', 'bad_origin', 'unknown_session', 'session_mismatch', 'subject_session_limit', 'not_found', 'bad_http']) {
      expect(sink.byStatus.get(s) ?? 0, s).toBeGreaterThanOrEqual(Math.floor(N / kinds.length) - 20);
    }
    // Bounded bookkeeping: mallory holds at most her 16 sessions; nothing is left in flight.
    expect(h.relay.core.sessionCount).toBeLessThanOrEqual(1 + 16);
    expect(h.relay.core.totalInFlight()).toBe(0);
    // Bounded memory: after a full collection the heap holds far less than 10,000 requests' worth of
    // anything (one retained request of a few hundred bytes each would already be several MB).
    const retained = retainedHeap() - heapBefore;
    expect(retained).toBeLessThan(16 << 20);
  });
});
