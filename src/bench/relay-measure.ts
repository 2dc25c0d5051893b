/**
 * One leg of the relay benchmark, measured once: the throughput phase (`concurrency` sessions in a
 * closed loop), then the latency phase (one session, back to back), and the CPU time each of the
 * leg's proxying processes spent over both, per HTTP request the client sent. Medians over rounds.
 */
import { median } from './median.js';
import { runLoad } from './relay-client.js';

export interface LegSpec {
  name: string;
  url: string;
  token?: string;
  /** CPU used so far by each of the leg's proxying processes, ms (`undefined`: not readable). */
  cpu: Record<string, () => number | undefined>;
}

export interface LegResult {
  /** Calls per second with `concurrency` sessions. */
  reqPerSec: number;
  /** Per-call latency, one session back to back, ms. */
  p50Ms: number;
  p99Ms: number;
  /** Per-call latency under the throughput phase's load, ms. */
  loadedP50Ms: number;
  loadedP99Ms: number;
  /** CPU per HTTP request of the leg's proxying processes, µs, by process; absent for direct. */
  cpuUs?: Record<string, number>;
  /** Sum of `cpuUs`: what the proxy path costs per request. */
  cpuPerRequestUs?: number;
}

export type Measured = LegResult & { requests: number };

function quantile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

export async function measureLeg(leg: LegSpec, o: { concurrency: number; calls: number; latencyCalls: number; warmup: number }): Promise<Measured> {
  const before = Object.entries(leg.cpu).map(([k, f]) => [k, f()] as const);
  const load = await runLoad({ url: leg.url, token: leg.token, concurrency: o.concurrency, calls: o.calls, warmup: o.warmup });
  const seq = await runLoad({ url: leg.url, token: leg.token, concurrency: 1, calls: o.latencyCalls, warmup: o.warmup });
  const requests = load.requests + seq.requests;
  const cpuUs: Record<string, number> = {};
  for (const [k, b] of before) {
    const a = leg.cpu[k]();
    if (a !== undefined && b !== undefined) cpuUs[k] = ((a - b) * 1000) / requests;
  }
  const loaded = load.latencies.sort();
  const single = seq.latencies.sort();
  const spent = Object.values(cpuUs);
  return {
    requests,
    reqPerSec: (load.latencies.length / load.elapsedMs) * 1000,
    p50Ms: quantile(single, 0.5),
    p99Ms: quantile(single, 0.99),
    loadedP50Ms: quantile(loaded, 0.5),
    loadedP99Ms: quantile(loaded, 0.99),
    ...(spent.length ? { cpuUs, cpuPerRequestUs: spent.reduce((s, x) => s + x, 0) } : {}),
  };
}

/** Each figure's median over rounds. */
export function medianLeg(rs: readonly LegResult[]): LegResult {
  const pick = (k: 'reqPerSec' | 'p50Ms' | 'p99Ms' | 'loadedP50Ms' | 'loadedP99Ms') => median(rs.map((r) => r[k]));
  const leg: LegResult = { reqPerSec: pick('reqPerSec'), p50Ms: pick('p50Ms'), p99Ms: pick('p99Ms'), loadedP50Ms: pick('loadedP50Ms'), loadedP99Ms: pick('loadedP99Ms') };
  const procs = rs[0]?.cpuUs ? Object.keys(rs[0].cpuUs) : [];
  if (procs.length && rs.every((r) => r.cpuUs && r.cpuPerRequestUs !== undefined)) {
    leg.cpuUs = Object.fromEntries(procs.map((k) => [k, median(rs.map((r) => r.cpuUs?.[k] ?? NaN))]));
    leg.cpuPerRequestUs = median(rs.map((r) => r.cpuPerRequestUs as number));
  }
  return leg;
}
