import { describe, expect, it } from 'vitest';
import { benchRelay, relaySuiteResult } from '../../src/bench/relay.js';

describe('benchRelay', () => {
  it('measures direct and relay legs at tiny size and skips nginx with a clear message when absent', async () => {
    const r = await benchRelay({ concurrency: 2, calls: 10, latencyCalls: 10, warmup: 2, rounds: 1, nginx: '/nonexistent/nginx' });
    expect(r.direct.reqPerSec).toBeGreaterThan(0);
    expect(r.relay.reqPerSec).toBeGreaterThan(0);
    expect(r.relay.p99Ms).toBeGreaterThanOrEqual(r.relay.p50Ms);
    expect(r.nginx).toBeUndefined();
    expect(r.nginxSkipped).toMatch(/nginx not found at \/nonexistent\/nginx/);
    expect(r.ratios.relayVsDirect).toBeGreaterThan(0);
    const suite = relaySuiteResult(r);
    expect(Object.keys(suite.results).sort()).toEqual(['direct.latency', 'direct.reqPerSec', 'relay.latency', 'relay.reqPerSec']);
    expect(suite.ratios.relayVsDirect).toBe(r.ratios.relayVsDirect);
    // The skipped anchor says why, so `compare` reports it as skipped rather than failing the gate.
    expect(suite.ratios.relayVsNginx).toBeUndefined();
    expect(suite.skipped).toEqual({ relayVsNginx: r.nginxSkipped, 'nginx.reqPerSec': r.nginxSkipped, 'nginx.latency': r.nginxSkipped });
  });
});
