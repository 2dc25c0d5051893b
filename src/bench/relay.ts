/**
 * The relay benchmark for `tunnelsim bench`: direct vs through the relay vs through nginx, and the
 * stdio bridges of the peers leg, on loopback. The legs live in `relay-legs.ts` (one leg's
 * measurement in `relay-measure.ts`, client in `relay-client.ts`, child processes in
 * `relay-node.ts`, nginx in `nginx.ts`, the peers in `relay-peers.ts`); this file re-exports them
 * and adapts the result to a `BenchSuite`.
 */
import { benchRelay, type LegResult, type RelayBenchResult } from './relay-legs.js';
import { PEER_NAMES } from './relay-peers.js';
import type { BenchResult, BenchSuite, BenchSuiteResult } from './types.js';

export { benchRelay, DEFAULT_RELAY_BENCH, type RelayBenchOptions, type RelayBenchResult, type LegResult, type PeerName } from './relay-legs.js';

/** Ratios that need each named leg; a leg that was skipped takes them with it. */
const NEEDS: Record<string, string[]> = {
  relayVsNginx: ['nginx'],
  relayVsNginxP50: ['nginx'],
  relayVsNginxP99: ['nginx'],
  nginxVsDirect: ['nginx'],
  tunnelsimVsSupergateway: ['tunnelsim', 'supergateway'],
  tunnelsimVsSupergatewayP99: ['tunnelsim', 'supergateway'],
  tunnelsimVsMcpProxy: ['tunnelsim', 'mcpProxy'],
  tunnelsimVsMcpProxyP99: ['tunnelsim', 'mcpProxy'],
  tunnelsimSharedVsMcpProxy: ['tunnelsimShared', 'mcpProxy'],
  tunnelsimSharedVsMcpProxyP99: ['tunnelsimShared', 'mcpProxy'],
};

/**
 * Bench-file results per leg (`direct.reqPerSec`, `relay.latency` with its p99, `relay.cpuPerRequest`,
 * `peers.supergateway.reqPerSec`, …) and ratios (higher is better). A leg that did not run says why
 * under `skipped`, so `compare` skips its checks instead of failing them.
 */
export function relaySuiteResult(r: RelayBenchResult): BenchSuiteResult {
  const results: Record<string, BenchResult> = {};
  const samples = r.options.rounds;
  const add = (name: string, leg: LegResult | undefined) => {
    if (!leg) return;
    results[`${name}.reqPerSec`] = { median: leg.reqPerSec, unit: 'req/s', samples };
    results[`${name}.latency`] = { median: leg.p50Ms, p99: leg.p99Ms, unit: 'ms', samples };
    if (leg.cpuPerRequestUs !== undefined) results[`${name}.cpuPerRequest`] = { median: leg.cpuPerRequestUs, unit: 'µs', samples };
  };
  add('direct', r.direct);
  add('relay', r.relay);
  add('nginx', r.nginx);
  for (const name of PEER_NAMES) add(`peers.${name}`, r.peers[name]);
  const ratios: Record<string, number> = {};
  for (const [k, v] of Object.entries(r.ratios)) if (v !== undefined) ratios[k] = v;
  const skipped: Record<string, string> = {};
  const why: Record<string, string | undefined> = { nginx: r.nginxSkipped, ...r.peersSkipped };
  for (const [leg, reason] of Object.entries(why)) {
    if (reason === undefined) continue;
    const prefix = leg === 'nginx' ? 'nginx' : `peers.${leg}`;
    for (const m of ['reqPerSec', 'latency', 'cpuPerRequest']) skipped[`${prefix}.${m}`] = reason;
    for (const [ratio, needs] of Object.entries(NEEDS)) if (needs.includes(leg)) skipped[ratio] ??= reason;
  }
  return { results, ratios, ...(Object.keys(skipped).length ? { skipped } : {}) };
}

export const relaySuite: BenchSuite = {
  name: 'relay',
  // Quick: three recorded rounds after one warm-up round, so each gated ratio is a median of three
  // per-round ratios — CI's single quick round once gave relay ÷ nginx 45 % under the baseline, in
  // a round where the relay spent 744 µs CPU per request (287–383 µs in full runs).
  run: async (opts) => relaySuiteResult(await benchRelay(opts.quick ? { calls: 200, latencyCalls: 300, warmup: 20, rounds: 3, warmupRounds: 1 } : {})),
};
