/**
 * The relay benchmark for `tunnelsim bench`: direct vs through the relay vs through nginx, on
 * loopback. The legs live in `relay-legs.ts` (client in `relay-client.ts`, child processes in
 * `relay-node.ts`, nginx in `nginx.ts`); this file re-exports them and adapts the result to a `BenchSuite`.
 */
import { benchRelay, type RelayBenchResult } from './relay-legs.js';
import type { BenchResult, BenchSuite, BenchSuiteResult } from './types.js';

export { benchRelay, DEFAULT_RELAY_BENCH, type RelayBenchOptions, type RelayBenchResult, type LegResult } from './relay-legs.js';

/** Bench-file results (`direct.reqPerSec`, `relay.p99`, …) and ratios (higher is better). */
export function relaySuiteResult(r: RelayBenchResult): BenchSuiteResult {
  const results: Record<string, BenchResult> = {};
  const samples = r.options.rounds;
  for (const [name, leg] of [['direct', r.direct], ['relay', r.relay], ['nginx', r.nginx]] as const) {
    if (!leg) continue;
    results[`${name}.reqPerSec`] = { median: leg.reqPerSec, unit: 'req/s', samples };
    results[`${name}.latency`] = { median: leg.p50Ms, p99: leg.p99Ms, unit: 'ms', samples };
  }
  const ratios: Record<string, number> = { relayVsDirect: r.ratios.relayVsDirect };
  if (r.ratios.relayVsNginx !== undefined) ratios.relayVsNginx = r.ratios.relayVsNginx;
  // An anchor that did not run says so, so `compare` skips its checks instead of failing them.
  const skipped = r.nginxSkipped ? { relayVsNginx: r.nginxSkipped, 'nginx.reqPerSec': r.nginxSkipped, 'nginx.latency': r.nginxSkipped } : undefined;
  return { results, ratios, ...(skipped ? { skipped } : {}) };
}

export const relaySuite: BenchSuite = {
  name: 'relay',
  run: async (opts) => relaySuiteResult(await benchRelay(opts.quick ? { calls: 100, latencyCalls: 300, warmup: 20, rounds: 1 } : {})),
};
