/**
 * The relay benchmark on loopback: the same load client and the same upstream MCP server, called
 * directly, through the relay (JWT check on every request, HMAC signing, connector signature
 * checks, audit log to a file), and through nginx as a reverse/WebSocket proxy when nginx is
 * installed. Each leg runs a throughput phase (`concurrency` sessions in a closed loop) and a
 * latency phase (one session, calls back to back, so p50/p99 are per-hop cost, not queueing). Legs
 * are interleaved over `rounds` and each figure is the median over rounds, so drift in the machine
 * touches every leg alike. From the compiled build the upstream, the relay and the connector each
 * run in a process of their own (`isolate`), as nginx does; from TypeScript sources (tests) they
 * share the client's process, which makes the figures a smoke check only.
 */
import { randomBytes } from 'node:crypto';
import { cpus } from 'node:os';
import { canSpawnBenchNodes, spawnBenchNode } from './relay-node.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileAuditSink } from '../tunnel/audit-file.js';
import { runLoad } from './relay-client.js';
import { startBenchUpstream } from './relay-upstream.js';
import { Connector } from '../tunnel/connector.js';
import { DEFAULT_NGINX, startNginx } from './nginx.js';
import { RelayServer } from '../tunnel/relay-server.js';
import { mintToken } from '../tunnel/tokens.js';
import { upstreamFactory } from '../tunnel/upstream.js';

export interface RelayBenchOptions {
  /** Parallel sessions in the throughput phase. @default 8 */
  concurrency: number;
  /** Calls per session in the throughput phase. @default 300 */
  calls: number;
  /** Back-to-back calls in the latency phase. @default 1000 */
  latencyCalls: number;
  /** Calls per session before measuring. @default 50 */
  warmup: number;
  /** Interleaved repetitions of every leg; figures are medians over rounds. @default 3 */
  rounds: number;
  /** nginx binary; `false` skips the nginx leg. @default '/usr/sbin/nginx' */
  nginx: string | false;
  /** Run upstream, relay and connector in child processes ('auto': when the build allows). @default 'auto' */
  isolate: boolean | 'auto';
}

export const DEFAULT_RELAY_BENCH: RelayBenchOptions = { concurrency: 8, calls: 300, latencyCalls: 1000, warmup: 50, rounds: 3, nginx: DEFAULT_NGINX, isolate: 'auto' };

export interface LegResult {
  /** Calls per second with `concurrency` sessions. */
  reqPerSec: number;
  /** Per-call latency, one session back to back, ms. */
  p50Ms: number;
  p99Ms: number;
  /** Per-call latency under the throughput phase's load, ms. */
  loadedP50Ms: number;
  loadedP99Ms: number;
}

export interface RelayBenchResult {
  machine: { cpus: number; model: string; node: string };
  options: RelayBenchOptions;
  /** Where the parts ran: child processes, or all in the client's process. */
  isolation: 'processes' | 'in-process';
  direct: LegResult;
  relay: LegResult;
  /** Absent when nginx is not installed (see `nginxSkipped`). */
  nginx?: LegResult;
  nginxSkipped?: string;
  ratios: {
    /** relay req/s ÷ direct req/s (≤ 1; higher is better). */
    relayVsDirect: number;
    /** relay req/s ÷ nginx req/s (the DESIGN.md budget wants ≥ 1). */
    relayVsNginx?: number;
    /** nginx req/s ÷ direct req/s. */
    nginxVsDirect?: number;
  };
  /**
   * CPU per HTTP request, µs, of the proxying processes: relay and connector (isolated runs only)
   * and nginx (where /proc is readable). Unlike req/s, this holds on a busy machine.
   */
  cpuPerRequestUs?: { relay?: number; connector?: number; nginx?: number };
  /** Latency the hop adds over direct, ms (p50 and p99 of the latency phase). */
  addedMs: { relayP50: number; relayP99: number; nginxP50?: number; nginxP99?: number };
}

function quantile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

async function measure(url: string, o: RelayBenchOptions, token?: string): Promise<LegResult & { requests: number }> {
  const load = await runLoad({ url, token, concurrency: o.concurrency, calls: o.calls, warmup: o.warmup });
  const seq = await runLoad({ url, token, concurrency: 1, calls: o.latencyCalls, warmup: o.warmup });
  const loaded = load.latencies.sort();
  const single = seq.latencies.sort();
  return {
    requests: load.requests + seq.requests,
    reqPerSec: (load.latencies.length / load.elapsedMs) * 1000,
    p50Ms: quantile(single, 0.5),
    p99Ms: quantile(single, 0.99),
    loadedP50Ms: quantile(loaded, 0.5),
    loadedP99Ms: quantile(loaded, 0.99),
  };
}

function sum(xs: number[]): number {
  return xs.reduce((a, b) => a + b, 0);
}

function medianLeg(rs: LegResult[]): LegResult {
  const pick = (k: keyof LegResult) => median(rs.map((r) => r[k]));
  return { reqPerSec: pick('reqPerSec'), p50Ms: pick('p50Ms'), p99Ms: pick('p99Ms'), loadedP50Ms: pick('loadedP50Ms'), loadedP99Ms: pick('loadedP99Ms') };
}

interface Parts {
  upstreamUrl: string;
  upstreamPort: number;
  relayUrl: string;
  /** CPU ms used by relay and connector since they were ready (isolated runs). */
  cpu?: () => { relay?: number; connector?: number };
}

async function startIsolated(secret: Buffer, dir: string, stops: (() => Promise<void> | void)[]): Promise<Parts> {
  const used: { relay?: number; connector?: number } = {};
  const upstream = await spawnBenchNode({ role: 'upstream' });
  stops.push(async () => void (await upstream.stop()));
  const relay = await spawnBenchNode({ role: 'relay', secret: secret.toString('base64url'), auditFile: join(dir, 'audit.log') });
  stops.push(async () => void (used.relay = delta(await relay.stop(), relay.info.cpuMs)));
  const token = await mintToken(secret, { tunnel: 'bench', roles: ['connect'], ttlSec: 3600 });
  const connector = await spawnBenchNode({ role: 'connector', relay: relay.info.url as string, token, upstream: upstream.info.url as string });
  stops.push(async () => void (used.connector = delta(await connector.stop(), connector.info.cpuMs)));
  return { upstreamUrl: upstream.info.url as string, upstreamPort: upstream.info.port as number, relayUrl: relay.info.url as string, cpu: () => used };
}

function delta(end: number | undefined, start: number): number | undefined {
  return end === undefined ? undefined : end - start;
}

async function startInProcess(secret: Buffer, dir: string, stops: (() => Promise<void> | void)[]): Promise<Parts> {
  const upstream = await startBenchUpstream();
  stops.push(() => upstream.close());
  const audit = new FileAuditSink(join(dir, 'audit.log'));
  const relay = await RelayServer.start({ key: secret, audit, maxInFlightPerTunnel: 1024 });
  stops.push(async () => (await relay.close(), audit.close()));
  const relayUrl = `http://127.0.0.1:${relay.port}`;
  const token = await mintToken(secret, { tunnel: 'bench', roles: ['connect'], ttlSec: 3600 });
  const connector = new Connector({ relay: relayUrl, tunnel: 'bench', token: () => token, upstream: upstreamFactory({ kind: 'http', url: upstream.url }) });
  connector.start();
  stops.push(() => connector.close());
  await connector.ready();
  return { upstreamUrl: upstream.url, upstreamPort: upstream.port, relayUrl };
}

export async function benchRelay(options: Partial<RelayBenchOptions> = {}): Promise<RelayBenchResult> {
  const o = { ...DEFAULT_RELAY_BENCH, ...options };
  for (const k of ['concurrency', 'calls', 'latencyCalls', 'rounds'] as const) if (!(o[k] >= 1)) throw new RangeError(`${k} must be ≥ 1`);
  if (!(o.warmup >= 0)) throw new RangeError('warmup must be ≥ 0');
  const isolate = o.isolate === 'auto' ? canSpawnBenchNodes() : o.isolate;
  if (isolate && !canSpawnBenchNodes()) throw new RangeError('isolate needs the compiled build (npm run build)');
  const secret = randomBytes(32);
  const dir = mkdtempSync(join(tmpdir(), 'tunnelsim-bench-relay-'));
  const stops: (() => Promise<void> | void)[] = [() => rmSync(dir, { recursive: true, force: true })];
  type Measured = LegResult & { requests: number };
  const legs: { direct: Measured[]; relay: Measured[]; nginx: Measured[] } = { direct: [], relay: [], nginx: [] };
  let nginxFound = false;
  let parts: Parts | undefined;
  let nginxCpuMs: number | undefined;
  try {
    parts = isolate ? await startIsolated(secret, dir, stops) : await startInProcess(secret, dir, stops);
    const nginx = o.nginx === false ? undefined : await startNginx(parts.upstreamPort, '/mcp', o.nginx);
    if (nginx) stops.push(() => nginx.stop());
    nginxFound = nginx !== undefined;
    const useToken = await mintToken(secret, { tunnel: 'bench', roles: ['use'], ttlSec: 3600 });
    const nginxCpu0 = nginx?.cpuMs();
    for (let r = 0; r < o.rounds; r++) {
      legs.direct.push(await measure(parts.upstreamUrl, o));
      legs.relay.push(await measure(`${parts.relayUrl}/t/bench/mcp`, o, useToken));
      if (nginx) legs.nginx.push(await measure(nginx.url, o));
    }
    const nginxCpu1 = nginx?.cpuMs();
    if (nginxCpu0 !== undefined && nginxCpu1 !== undefined) nginxCpuMs = nginxCpu1 - nginxCpu0;
  } finally {
    for (const stop of stops.reverse()) await stop();
  }
  const relayRequests = sum(legs.relay.map((l) => l.requests));
  const perRequestUs = (ms: number | undefined, requests: number) => (ms === undefined || requests === 0 ? undefined : (ms * 1000) / requests);
  const used = parts?.cpu?.();
  const cpuPerRequestUs = {
    relay: perRequestUs(used?.relay, relayRequests),
    connector: perRequestUs(used?.connector, relayRequests),
    nginx: perRequestUs(nginxCpuMs, sum(legs.nginx.map((l) => l.requests))),
  };
  const direct = medianLeg(legs.direct);
  const viaRelay = medianLeg(legs.relay);
  const viaNginx = nginxFound ? medianLeg(legs.nginx) : undefined;
  const cpu = cpus();
  return {
    machine: { cpus: cpu.length, model: cpu[0]?.model ?? 'unknown', node: process.version },
    options: o,
    isolation: isolate ? 'processes' : 'in-process',
    direct,
    relay: viaRelay,
    ...(viaNginx
      ? { nginx: viaNginx }
      : { nginxSkipped: o.nginx === false ? 'nginx leg disabled' : `nginx not found at ${o.nginx} (apt-get install nginx)` }),
    ratios: {
      relayVsDirect: viaRelay.reqPerSec / direct.reqPerSec,
      ...(viaNginx ? { relayVsNginx: viaRelay.reqPerSec / viaNginx.reqPerSec, nginxVsDirect: viaNginx.reqPerSec / direct.reqPerSec } : {}),
    },
    ...(Object.values(cpuPerRequestUs).some((v) => v !== undefined) ? { cpuPerRequestUs } : {}),
    addedMs: {
      relayP50: viaRelay.p50Ms - direct.p50Ms,
      relayP99: viaRelay.p99Ms - direct.p99Ms,
      ...(viaNginx ? { nginxP50: viaNginx.p50Ms - direct.p50Ms, nginxP99: viaNginx.p99Ms - direct.p99Ms } : {}),
    },
  };
}
