import { describe, expect, it } from 'vitest';
import { benchRelay, relaySuiteResult, type RelayBenchResult } from '../../src/bench/relay.js';
import { packageBin } from '../../src/bench/relay-peers.js';

const TINY = { concurrency: 2, calls: 10, latencyCalls: 10, warmup: 2, rounds: 1, warmupRounds: 0 };

describe('benchRelay', () => {
  it('measures direct and relay legs at tiny size and skips nginx with a clear message when absent', async () => {
    const r = await benchRelay({ ...TINY, nginx: '/nonexistent/nginx', peers: false });
    expect(r.direct.reqPerSec).toBeGreaterThan(0);
    expect(r.relay.reqPerSec).toBeGreaterThan(0);
    expect(r.relay.p99Ms).toBeGreaterThanOrEqual(r.relay.p50Ms);
    expect(r.nginx).toBeUndefined();
    expect(r.nginxSkipped).toMatch(/nginx not found at \/nonexistent\/nginx/);
    expect(r.ratios.relayVsDirect).toBeGreaterThan(0);
    expect(r.ratioRounds.relayVsDirect).toEqual([r.ratios.relayVsDirect]);
    const suite = relaySuiteResult(r);
    expect(Object.keys(suite.results).sort()).toEqual(['direct.latency', 'direct.reqPerSec', 'relay.latency', 'relay.reqPerSec']);
    expect(suite.ratios.relayVsDirect).toBe(r.ratios.relayVsDirect);
    // The skipped anchor says why, so `compare` reports it as skipped rather than failing the gate.
    expect(suite.ratios.relayVsNginx).toBeUndefined();
    expect(suite.skipped).toMatchObject({ relayVsNginx: r.nginxSkipped, relayVsNginxP99: r.nginxSkipped, 'nginx.reqPerSec': r.nginxSkipped, 'nginx.latency': r.nginxSkipped });
    expect(suite.skipped?.tunnelsimVsSupergateway).toBe('peers leg disabled');
  });

  it('runs a peer bridge on the same stdio server, and skips tunnelsim’s own stdio leg with a reason from sources', async () => {
    const r = await benchRelay({ ...TINY, nginx: false, peers: ['tunnelsim', 'supergateway'] });
    expect(r.peers.supergateway?.reqPerSec).toBeGreaterThan(0);
    expect(r.peers.supergateway?.p99Ms).toBeGreaterThanOrEqual(r.peers.supergateway?.p50Ms ?? Infinity);
    expect(r.peersSkipped.tunnelsim).toMatch(/not built \(npm run build\)/);
    expect(r.ratios.tunnelsimVsSupergateway).toBeUndefined();
    expect(relaySuiteResult(r).results['peers.supergateway.reqPerSec'].median).toBe(r.peers.supergateway?.reqPerSec);
  }, 60_000);
});

describe('relaySuiteResult', () => {
  const leg = (reqPerSec: number, cpu?: number) => ({ reqPerSec, p50Ms: 1, p99Ms: 2, loadedP50Ms: 1, loadedP99Ms: 2, ...(cpu === undefined ? {} : { cpuUs: { x: cpu }, cpuPerRequestUs: cpu }) });
  const base: RelayBenchResult = {
    machine: { cpus: 2, model: 'x', node: 'v20', loadAverage: [0, 0, 0] },
    options: { concurrency: 1, calls: 1, latencyCalls: 1, warmup: 0, rounds: 3, warmupRounds: 0, nginx: false, peers: ['tunnelsim', 'mcpProxy'], isolate: false },
    isolation: 'processes',
    direct: leg(100),
    relay: leg(50, 300),
    nginxSkipped: 'nginx leg disabled',
    peers: { tunnelsim: leg(40, 250), mcpProxy: leg(20, 900) },
    peersSkipped: { supergateway: 'supergateway is not installed (npm install --save-dev supergateway)', tunnelsimShared: 'peer left out' },
    ratios: { relayVsDirect: 0.5, tunnelsimVsMcpProxy: 2, tunnelsimVsMcpProxyP99: 1 },
    ratioRounds: {},
    addedMs: { relayP50: 0, relayP99: 0 },
  };

  it('gives every leg that ran its req/s, latency (p50 with p99) and CPU per request, and skips what a missing peer takes with it', () => {
    const s = relaySuiteResult(base);
    expect(s.results['peers.mcpProxy.cpuPerRequest']).toEqual({ median: 900, unit: 'µs', samples: 3 });
    expect(s.results['relay.cpuPerRequest'].median).toBe(300);
    expect(s.results['peers.tunnelsim.latency']).toEqual({ median: 1, p99: 2, unit: 'ms', samples: 3 });
    expect(s.ratios).toEqual({ relayVsDirect: 0.5, tunnelsimVsMcpProxy: 2, tunnelsimVsMcpProxyP99: 1 });
    const why = base.peersSkipped.supergateway;
    expect(s.skipped).toMatchObject({ tunnelsimVsSupergateway: why, tunnelsimVsSupergatewayP99: why, 'peers.supergateway.reqPerSec': why });
    expect(s.skipped?.tunnelsimVsMcpProxy).toBeUndefined();
    // The like-for-like mcp-proxy ratio needs the shared-upstream leg.
    expect(s.skipped).toMatchObject({ tunnelsimSharedVsMcpProxy: 'peer left out', tunnelsimSharedVsMcpProxyP99: 'peer left out' });
  });
});

describe('packageBin', () => {
  it('finds an installed package’s bin script and says undefined for one that is not installed', () => {
    expect(packageBin('supergateway', 'supergateway')).toMatch(/node_modules\/supergateway\/dist\/index\.js$/);
    expect(packageBin('tunnelsim-no-such-package', 'x')).toBeUndefined();
  });
});
