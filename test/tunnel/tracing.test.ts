/**
 * Trace export on real components: a live run's agents, relay, connector and server export through
 * the OpenTelemetry SDK's own OTLP/HTTP exporter to a receiver on 127.0.0.1 port 0, and the spans
 * link by `traceparent` in `params._meta` into one trace per call — client ⊃ relay hop ⊃ connector
 * hop ⊃ server — that `tunnelsim import otlp` splits into tunnel and server time. The relay
 * forwards `_meta` byte for byte, traced or not.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { CallToolRequestSchema, ListToolsRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { runLive } from '../../src/run/live.js';
import { nanosToMs, type OtlpSpan } from '../../src/report/otlp-json.js';
import { importOtlp } from '../../src/scenario/otlp-import.js';
import { Connector } from '../../src/tunnel/connector.js';
import { RelayTracing } from '../../src/tunnel/tracing.js';
import { startTracing } from '../../src/tunnel/otel.js';
import { otlpTracesUrl } from '../../src/tunnel/otlp-endpoint.js';
import { mintToken } from '../../src/tunnel/tokens.js';
import { scenario } from '../helpers/scenario.js';
import { startOtlpReceiver, type OtlpReceiver } from '../helpers/otlp-receiver.js';
import { Harness, SECRET } from './harness.js';

type Received = OtlpSpan & { service: string };

function attr(s: OtlpSpan, key: string): string | number | boolean | undefined {
  const v = s.attributes?.find((a) => a.key === key)?.value;
  return v?.stringValue ?? (v?.intValue !== undefined ? Number(v.intValue) : v?.boolValue ?? v?.doubleValue);
}

describe('live run span export', () => {
  let receiver: OtlpReceiver;
  let spans: Received[];
  let report: Awaited<ReturnType<typeof runLive>>;

  beforeAll(async () => {
    receiver = await startOtlpReceiver();
    const sc = scenario({
      workload: { model: 'closed', agents: 2, workflows: 6 },
      workflow: { steps: 3, tools: ['a', 'b'], order: 'round-robin' },
      network: { agentToRelay: { latency: '20ms' }, relayToServer: { latency: '5ms' } },
      server: { concurrency: 8, tools: { a: { service: '30ms', resultTokens: 50 }, b: { service: '10ms', resultTokens: 20 } } },
    });
    report = await runLive(sc, { timeScale: 0.5, otlp: otlpTracesUrl(receiver.url, {}) });
    spans = receiver.spans();
  }, 120_000);
  afterAll(() => receiver.close());

  it('exports one span per attempt from each of agent, relay, connector and server, as four services', () => {
    const p = report.policies[0];
    expect(p.workflows.completed).toBe(6);
    const calls = (service: string) => spans.filter((s) => s.service === service && s.name.startsWith('tools/call '));
    // Warm-up calls (before the clock starts) are not the run's: they carry no agent span.
    expect(calls('tunnelsim-agent')).toHaveLength(p.calls.attempts);
    expect(calls('tunnelsim-mcp-server').filter((s) => attr(s, 'tunnelsim.server_queue_ms') !== undefined).length).toBeGreaterThanOrEqual(p.calls.attempts);
    expect(calls('tunnelsim-relay').length).toBeGreaterThanOrEqual(p.calls.attempts);
    expect(calls('tunnelsim-connector').length).toBeGreaterThanOrEqual(p.calls.attempts);
    expect(spans.filter((s) => s.service === 'tunnelsim-agent' && s.name.startsWith('invoke_agent '))).toHaveLength(6);
  });

  it('links each call’s spans by traceparent: client ⊃ relay hop ⊃ connector hop ⊃ server', () => {
    const byId = new Map(spans.map((s) => [s.spanId, s]));
    const children = (parent: Received, service: string) => spans.filter((s) => s.parentSpanId === parent.spanId && s.service === service);
    const t = (s: OtlpSpan, end = false) => nanosToMs(end ? s.endTimeUnixNano : s.startTimeUnixNano);
    for (const client of spans.filter((s) => s.service === 'tunnelsim-agent' && s.kind === 3)) {
      expect(attr(client, 'mcp.method.name')).toBe('tools/call');
      expect(byId.get(client.parentSpanId!)?.name).toMatch(/^invoke_agent /);
      const [relay] = children(client, 'tunnelsim-relay');
      const [connector] = children(client, 'tunnelsim-connector');
      const [server] = children(connector, 'tunnelsim-mcp-server');
      expect(attr(relay, 'tunnelsim.hop')).toBe('relay');
      expect(relay.kind).toBe(2);
      expect(attr(connector, 'tunnelsim.hop')).toBe('connector');
      expect(server.kind).toBe(2);
      for (const s of [relay, connector, server]) expect(s.traceId).toBe(client.traceId);
      // Each hop starts after and ends before the one around it. The SDK times a span whose parent
      // is remote on a clock anchored to Date.now() (whole milliseconds), so two hops' clocks may
      // disagree by up to 1 ms: that is the tolerance, and nothing else.
      const ANCHOR_MS = 1;
      expect(t(relay)).toBeGreaterThanOrEqual(t(client) - ANCHOR_MS);
      expect(t(connector)).toBeGreaterThanOrEqual(t(relay) - ANCHOR_MS);
      expect(t(server)).toBeGreaterThanOrEqual(t(connector) - ANCHOR_MS);
      expect(t(server, true)).toBeLessThanOrEqual(t(connector, true) + ANCHOR_MS);
      expect(t(connector, true)).toBeLessThanOrEqual(t(relay, true) + ANCHOR_MS);
      expect(t(relay, true)).toBeLessThanOrEqual(t(client, true) + ANCHOR_MS);
      // The hops nest in duration exactly (each span's duration is on one monotonic clock).
      const d = (s: OtlpSpan) => t(s, true) - t(s);
      expect(d(server)).toBeLessThanOrEqual(d(connector));
      expect(d(connector)).toBeLessThanOrEqual(d(relay));
      expect(d(relay)).toBeLessThanOrEqual(d(client));
      expect(attr(relay, 'jsonrpc.request.id')).toBe(attr(connector, 'jsonrpc.request.id'));
    }
  });

  it('is what import otlp splits into tunnel and server time for every call', () => {
    const r = importOtlp([{ file: 'live.json', text: receiver.jsonl() }]);
    expect(r.calls).toHaveLength(report.policies[0].calls.attempts);
    for (const c of r.calls) {
      expect(c.serverMs).toBeDefined();
      // The server's part includes its drawn service time (30 or 10 scenario ms, ×0.5 wall).
      expect(c.serverMs!).toBeGreaterThanOrEqual(5 - 0.1);
      expect(c.callMs - c.serverMs!).toBeGreaterThanOrEqual(2 * 20 * 0.5 - 0.1);
      expect(c.resultTokens).toBeGreaterThan(0);
    }
  });
});

describe('the relay and traceparent', () => {
  const h = new Harness();
  afterAll(() => h.closeAll());

  it('forwards params._meta untouched, traced or not, and spans its hop as the agent’s child', async () => {
    const receiver = await startOtlpReceiver();
    const tracing = startTracing(`${receiver.url}/v1/traces`, 'tunnelsim-relay');
    await h.start({ observer: new RelayTracing(tracing.tracer) });
    const seen: unknown[] = [];
    const token = await mintToken(SECRET, { tunnel: 'alpha', roles: ['connect'], subject: 'conn' });
    const connector = new Connector({
      relay: h.url,
      tunnel: 'alpha',
      token: () => token,
      upstream: async () => {
        const [client, server] = InMemoryTransport.createLinkedPair();
        const s = new Server({ name: 'echo', version: '1' }, { capabilities: { tools: {} } });
        s.setRequestHandler(ListToolsRequestSchema, async () => ({ tools: [{ name: 'echo', inputSchema: { type: 'object' as const } }] }));
        s.setRequestHandler(CallToolRequestSchema, async (req) => (seen.push(req.params._meta), { content: [] }));
        await s.connect(server);
        return client;
      },
    });
    h.onClose(() => connector.close());
    connector.start();
    await connector.ready();
    const client = await h.client('alpha');
    const meta = { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01', tracestate: 'vendor=x', other: { kept: [1, 2] } };
    await client.callTool({ name: 'echo', arguments: {}, _meta: meta });
    expect(seen).toEqual([meta]);
    await tracing.shutdown();
    const [hop] = receiver.spans().filter((s) => s.name === 'tools/call echo');
    expect(hop.traceId).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
    expect(hop.parentSpanId).toBe('00f067aa0ba902b7');
    await receiver.close();
  });

  it('resolves the endpoint from --otlp or the OpenTelemetry environment', () => {
    expect(otlpTracesUrl(undefined, {})).toBeUndefined();
    expect(otlpTracesUrl('http://127.0.0.1:4318', {})).toBe('http://127.0.0.1:4318/v1/traces');
    expect(otlpTracesUrl(undefined, { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318/' })).toBe('http://127.0.0.1:4318/v1/traces');
    expect(otlpTracesUrl(undefined, { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://a:1', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://127.0.0.1:9/t' })).toBe('http://127.0.0.1:9/t');
    expect(() => otlpTracesUrl('ftp://x', {})).toThrow(/http\(s\)/);
  });
});
