/**
 * The relay's Prometheus metrics (prom-client) on real sockets: request durations per tunnel and
 * method under the MCP metric name, 429s, auth refusals by reason, connector up/down and
 * reconnects, label values bounded against hostile input — and Debian's `prometheus` scraping a
 * relay under load, read back through its HTTP query API (skipped, saying why, without it).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { RelayMetrics } from '../../src/tunnel/metrics.js';
import { parseMetricsAddress, startMetricsServer, type MetricsServer } from '../../src/tunnel/metrics-server.js';
import { Harness } from './harness.js';

const PROMETHEUS = '/usr/bin/prometheus';
const hasPrometheus = existsSync(PROMETHEUS);
if (!hasPrometheus) console.warn(`Prometheus scrape test skipped: ${PROMETHEUS} not found (install the Debian package: apt-get install -y prometheus)`);

const tools = { quick: { serviceMs: () => 1, resultTokens: () => 5 }, slow: { serviceMs: () => 1000, resultTokens: () => 5 } };

/** The value of one series in exposition text, by metric name and exact label set (0 when absent). */
function sample(text: string, name: string, labels: Record<string, string>): number {
  const want = Object.entries(labels).map(([k, v]) => `${k}="${v}"`).sort().join(',');
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const got = (m[2] ?? '').split(/,(?=[a-zA-Z_]\w*=")/).filter(Boolean).sort().join(',');
    if (got === want) return Number(m[3]);
  }
  return 0;
}

async function scrape(url: string): Promise<string> {
  const r = await fetch(url);
  expect(r.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return r.text();
}

describe('relay --metrics', () => {
  const h = new Harness();
  let server: MetricsServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
    await h.closeAll();
  });

  async function start(opts = {}) {
    const metrics = new RelayMetrics({ processMetrics: false });
    await h.start({ observer: metrics, ...opts });
    server = await startMetricsServer(metrics.bind(h.relay.core), { host: '127.0.0.1', port: 0 });
    return server.url;
  }

  it('counts requests per tunnel and method, refusals by reason, and the connector’s life', async () => {
    const url = await start();
    const first = await h.connector('alpha', { kind: 'mock', tools });
    const client = await h.client('alpha');
    for (let i = 0; i < 5; i++) await client.callTool({ name: 'quick', arguments: {} });
    // A stranger's request (no token) and a token for another tunnel.
    await fetch(`${h.url}/t/alpha/mcp`, { method: 'POST', body: '{}' });
    const other = await h.token({ tunnel: 'beta' });
    await fetch(`${h.url}/t/alpha/mcp`, { method: 'POST', headers: { Authorization: `Bearer ${other}` }, body: '{}' });
    let text = await scrape(url);
    const call = { tunnel: 'alpha', mcp_method_name: 'tools/call', gen_ai_tool_name: 'quick', error_type: '' };
    expect(sample(text, 'mcp_server_operation_duration_seconds_count', call)).toBe(5);
    expect(sample(text, 'mcp_server_operation_duration_seconds_bucket', { ...call, le: '+Inf' })).toBe(5);
    expect(sample(text, 'mcp_server_operation_duration_seconds_count', { tunnel: 'alpha', mcp_method_name: 'initialize', gen_ai_tool_name: '', error_type: '' })).toBe(1);
    expect(sample(text, 'tunnelsim_relay_auth_refusals_total', { kind: 'agent', reason: 'missing_token' })).toBe(1);
    expect(sample(text, 'tunnelsim_relay_auth_refusals_total', { kind: 'agent', reason: 'bad_audience' }) + sample(text, 'tunnelsim_relay_auth_refusals_total', { kind: 'agent', reason: 'wrong_tunnel' })).toBe(1);
    expect(sample(text, 'tunnelsim_relay_connector_up', { tunnel: 'alpha' })).toBe(1);
    expect(sample(text, 'tunnelsim_relay_requests_in_flight', { tunnel: 'alpha' })).toBe(0);

    await first.close();
    for (let i = 0; i < 100 && h.relay.stats().connectors > 0; i++) await new Promise((r) => setTimeout(r, 10));
    text = await scrape(url);
    expect(sample(text, 'tunnelsim_relay_connector_up', { tunnel: 'alpha' })).toBe(0);
    expect(sample(text, 'tunnelsim_relay_connector_disconnects_total', { tunnel: 'alpha' })).toBe(1);
    await h.connector('alpha', { kind: 'mock', tools });
    text = await scrape(url);
    expect(sample(text, 'tunnelsim_relay_connector_up', { tunnel: 'alpha' })).toBe(1);
    expect(sample(text, 'tunnelsim_relay_connector_connects_total', { tunnel: 'alpha' })).toBe(2);
    expect(sample(text, 'tunnelsim_relay_connector_reconnects_total', { tunnel: 'alpha' })).toBe(1);
  });

  it('counts 429s and shows in-flight and queue depth while calls wait', async () => {
    const url = await start({ maxInFlightPerTunnel: 1, queue: 1 });
    await h.connector('alpha', { kind: 'mock', tools });
    // One at a time: with one slot, initialize handshakes would refuse each other.
    const clients = [];
    for (let i = 0; i < 4; i++) clients.push(await h.client('alpha'));
    const calls = clients.map((c) => c.callTool({ name: 'slow', arguments: {} }).then(() => 'ok', () => 'refused'));
    // While the first call runs: one in flight, one queued, the other two refused with 429.
    // The first call holds its slot for a second: a window the scrapes below cannot miss on a busy machine.
    let text = '';
    for (let i = 0; i < 2000; i++) {
      text = await scrape(url);
      if (sample(text, 'tunnelsim_relay_queue_depth', { tunnel: 'alpha' }) === 1) break;
      await new Promise((r) => setTimeout(r, 5));
    }
    expect(sample(text, 'tunnelsim_relay_requests_in_flight', { tunnel: 'alpha' })).toBe(1);
    expect(sample(text, 'tunnelsim_relay_queue_depth', { tunnel: 'alpha' })).toBe(1);
    const outcomes = await Promise.all(calls);
    text = await scrape(url);
    const refused = outcomes.filter((o) => o === 'refused').length;
    expect(refused).toBe(2);
    expect(sample(text, 'tunnelsim_relay_overloaded_total', { tunnel: 'alpha' })).toBe(refused);
    expect(sample(text, 'mcp_server_operation_duration_seconds_count', { tunnel: 'alpha', mcp_method_name: 'tools/call', gen_ai_tool_name: 'slow', error_type: 'overloaded' })).toBe(refused);
    // The queued call waited about one service time.
    expect(sample(text, 'tunnelsim_relay_queue_wait_seconds_count', { tunnel: 'alpha' })).toBeGreaterThanOrEqual(2);
    expect(sample(text, 'tunnelsim_relay_queue_wait_seconds_bucket', { tunnel: 'alpha', le: '0.1' })).toBeLessThan(sample(text, 'tunnelsim_relay_queue_wait_seconds_count', { tunnel: 'alpha' }));
  });

  it('bounds label values a client chooses: unknown tunnels, methods and tools', async () => {
    const url = await start();
    await h.connector('alpha', { kind: 'mock', tools });
    const client = await h.client('alpha');
    await client.request({ method: 'made/up', params: {} }, (await import('zod')).z.any()).catch(() => undefined);
    await client.callTool({ name: 'no-such-tool-<script>', arguments: {} }).catch(() => undefined);
    const ghost = await h.token({ tunnel: 'ghost' });
    await fetch(`${h.url}/t/ghost/mcp`, { method: 'POST', headers: { Authorization: `Bearer ${ghost}`, 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream' }, body: '{}' });
    const text = await scrape(url);
    expect(text).not.toContain('made/up');
    expect(text).not.toContain('no-such-tool');
    expect(text).not.toContain('ghost');
    expect(text).toContain('mcp_method_name="_OTHER"');
  });

  it('parses --metrics [HOST:]PORT', () => {
    expect(parseMetricsAddress('')).toEqual({ host: '127.0.0.1', port: 9464 });
    expect(parseMetricsAddress('9100')).toEqual({ host: '127.0.0.1', port: 9100 });
    expect(parseMetricsAddress('0.0.0.0:9100')).toEqual({ host: '0.0.0.0', port: 9100 });
    expect(parseMetricsAddress('[::1]:9100')).toEqual({ host: '::1', port: 9100 });
    expect(() => parseMetricsAddress('99999')).toThrow(/not \[HOST:\]PORT/);
    expect(() => parseMetricsAddress('x:y')).toThrow(/not \[HOST:\]PORT/);
  });
});

/** A free loopback port (Prometheus cannot report the port it chose for :0). */
function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

describe.skipIf(!hasPrometheus)('Prometheus scraping the relay', () => {
  const h = new Harness();
  let prom: ChildProcess | undefined;
  let server: MetricsServer | undefined;
  afterEach(async () => {
    prom?.kill('SIGTERM');
    await new Promise((r) => (prom && prom.exitCode === null ? prom.once('exit', r) : r(undefined)));
    await server?.close();
    await h.closeAll();
  });

  it('reads back the relay’s series through the query API after a short load', async () => {
    const metrics = new RelayMetrics();
    await h.start({ observer: metrics });
    server = await startMetricsServer(metrics.bind(h.relay.core), { host: '127.0.0.1', port: 0 });
    await h.connector('alpha', { kind: 'mock', tools });
    const client = await h.client('alpha');
    const dir = mkdtempSync(join(tmpdir(), 'tunnelsim-prom-'));
    const target = new URL(server.url).host;
    writeFileSync(join(dir, 'prometheus.yml'), `global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: tunnelsim-relay\n    static_configs:\n      - targets: ['${target}']\n`);
    const port = await freePort();
    let log = '';
    prom = spawn(PROMETHEUS, [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`], { stdio: ['ignore', 'pipe', 'pipe'] });
    prom.stderr!.on('data', (d: Buffer) => (log += d.toString()));
    const query = async (q: string): Promise<number | undefined> => {
      const r = await fetch(`http://127.0.0.1:${port}/api/v1/query?query=${encodeURIComponent(q)}`).catch(() => undefined);
      if (!r?.ok) return undefined;
      const body = (await r.json()) as { data: { result: { value: [number, string] }[] } };
      return body.data.result.length ? Number(body.data.result[0].value[1]) : undefined;
    };
    // Load until Prometheus has scraped the relay during it (bounded: 3000 calls).
    let calls = 0;
    const counted = 'sum(mcp_server_operation_duration_seconds_count{job="tunnelsim-relay",mcp_method_name="tools/call"})';
    while (calls < 3000) {
      await client.callTool({ name: 'quick', arguments: {} });
      calls++;
      if (calls % 25 === 0 && ((await query(counted)) ?? 0) > 0) break;
    }
    expect(prom.exitCode, log).toBeNull();
    // After the load, the next scrapes catch up with every call made (bounded wait: 600 polls).
    let seen: number | undefined;
    for (let i = 0; i < 600 && seen !== calls; i++) {
      seen = await query(counted);
      if (seen !== calls) await new Promise((r) => setTimeout(r, 100));
    }
    expect(seen, log).toBe(calls);
    expect(await query('tunnelsim_relay_connector_up{tunnel="alpha"}')).toBe(1);
    expect(await query('up{job="tunnelsim-relay"}')).toBe(1);
    // The histogram answers a quantile query: the median call took under a second.
    const p50 = await query('histogram_quantile(0.5, sum by (le) (mcp_server_operation_duration_seconds_bucket{mcp_method_name="tools/call"}))');
    expect(p50).toBeGreaterThan(0);
    expect(p50).toBeLessThan(1);
  }, 180_000);
});
