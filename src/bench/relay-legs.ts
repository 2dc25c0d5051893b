/**
 * The relay benchmark on loopback: the same load client and the same upstream MCP server, called
 * directly, through the relay (JWT check on every request, HMAC signing, connector signature
 * checks, audit log to a file), and through nginx as a reverse/WebSocket proxy when nginx is
 * installed; and, in the peers leg, the same stdio MCP server behind supergateway, mcp-proxy and
 * `tunnelsim relay` + `tunnelsim connect --stdio` (relay-peers.ts). Each leg runs a throughput
 * phase (`concurrency` sessions in a closed loop) and a latency phase (one session, calls back to
 * back, so p50/p99 are per-hop cost, not queueing); the CPU its proxying processes spent is read
 * from /proc around the leg. Legs are interleaved over `rounds`, in an order that rotates each
 * round, after `warmupRounds` unrecorded rounds that bring every process's JIT to steady state;
 * each figure is the median over rounds and each ratio the median of the per-round ratios, so drift
 * in the machine touches every leg alike. From the compiled build the upstream, the relay and the
 * connector each run in a process of their own (`isolate`), as nginx does; from TypeScript sources
 * (tests) they share the client's process, which makes the figures a smoke check only.
 */
import { randomBytes } from 'node:crypto';
import { cpus, loadavg } from 'node:os';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { canSpawnBenchNodes, spawnBenchNode } from './relay-node.js';
import { FileAuditSink } from '../tunnel/audit-file.js';
import { startBenchUpstream } from './relay-upstream.js';
import { Connector } from '../tunnel/connector.js';
import { DEFAULT_NGINX, startNginx } from './nginx.js';
import { processCpuMs } from './proc-cpu.js';
import { median } from './median.js';
import { measureLeg, medianLeg, type LegResult, type LegSpec, type Measured } from './relay-measure.js';
import { PEER_NAMES, startPeer, type PeerName } from './relay-peers.js';
import { RelayServer } from '../tunnel/relay-server.js';
import { mintToken } from '../tunnel/tokens.js';
import { upstreamFactory } from '../tunnel/upstream.js';

export type { LegResult } from './relay-measure.js';
export type { PeerName } from './relay-peers.js';

export interface RelayBenchOptions {
  /** Parallel sessions in the throughput phase. @default 8 */
  concurrency: number;
  /** Calls per session in the throughput phase. @default 300 */
  calls: number;
  /** Back-to-back calls in the latency phase. @default 1000 */
  latencyCalls: number;
  /** Calls per session before measuring. @default 50 */
  warmup: number;
  /** Interleaved repetitions of every leg; figures are medians over rounds. @default 5 */
  rounds: number;
  /** Rounds of every leg run first and not recorded (JIT warm-up of every process). @default 1 */
  warmupRounds: number;
  /** nginx binary; `false` skips the nginx leg. @default '/usr/sbin/nginx' */
  nginx: string | false;
  /** The stdio bridges of the peers leg; `false` skips the leg. @default ['tunnelsim', 'tunnelsimShared', 'supergateway', 'mcpProxy'] */
  peers: readonly PeerName[] | false;
  /** Run upstream, relay and connector in child processes ('auto': when the build allows). @default 'auto' */
  isolate: boolean | 'auto';
  /** Write a V8 CPU profile of each child process (upstream, relay, connector) into this directory (isolated runs). @default undefined */
  cpuProfileDir?: string;
}

export const DEFAULT_RELAY_BENCH: RelayBenchOptions = {
  concurrency: 8,
  calls: 300,
  latencyCalls: 1000,
  warmup: 50,
  rounds: 5,
  warmupRounds: 1,
  nginx: DEFAULT_NGINX,
  peers: PEER_NAMES,
  isolate: 'auto',
};

export interface RelayBenchResult {
  machine: { cpus: number; model: string; node: string; loadAverage: number[] };
  options: RelayBenchOptions;
  /** Where the parts ran: child processes, or all in the client's process. */
  isolation: 'processes' | 'in-process';
  direct: LegResult;
  relay: LegResult;
  /** Absent when nginx is not installed (see `nginxSkipped`). */
  nginx?: LegResult;
  nginxSkipped?: string;
  /** The stdio bridges that ran, and why each other one did not. */
  peers: Partial<Record<PeerName, LegResult>>;
  peersSkipped: Partial<Record<PeerName, string>>;
  /** Medians of per-round ratios; every one is "higher is better" (≥ 1: the first named is at least as good). */
  ratios: {
    /** relay req/s ÷ direct req/s (≤ 1). */
    relayVsDirect: number;
    /** relay req/s ÷ nginx req/s (the DESIGN.md budget wants ≥ 1). */
    relayVsNginx?: number;
    /** nginx p50 ÷ relay p50, one session (≥ 1: the relay's p50 is no worse). */
    relayVsNginxP50?: number;
    /** nginx p99 ÷ relay p99, one session. */
    relayVsNginxP99?: number;
    /** nginx req/s ÷ direct req/s. */
    nginxVsDirect?: number;
    /** tunnelsim (stdio) req/s ÷ supergateway req/s. */
    tunnelsimVsSupergateway?: number;
    /** supergateway p99 ÷ tunnelsim p99, one session. */
    tunnelsimVsSupergatewayP99?: number;
    /** tunnelsim (stdio, a server per session) req/s ÷ mcp-proxy req/s (one server shared): unlike work, what per-session isolation costs. */
    tunnelsimVsMcpProxy?: number;
    /** mcp-proxy p99 ÷ tunnelsim (per session) p99, one session. */
    tunnelsimVsMcpProxyP99?: number;
    /** tunnelsim `--share-upstream` req/s ÷ mcp-proxy req/s: both share one stdio server, like for like. */
    tunnelsimSharedVsMcpProxy?: number;
    /** mcp-proxy p99 ÷ tunnelsim `--share-upstream` p99, one session. */
    tunnelsimSharedVsMcpProxyP99?: number;
  };
  /** Every round's value of each ratio, in round order: the spread behind each median. */
  ratioRounds: Record<string, number[]>;
  /**
   * CPU per HTTP request, µs, of the proxying processes (medians over rounds): relay and connector
   * (isolated runs only) and nginx (where /proc is readable).
   */
  cpuPerRequestUs?: { relay?: number; connector?: number; nginx?: number };
  /** Latency the hop adds over direct, ms (p50 and p99 of the latency phase). */
  addedMs: { relayP50: number; relayP99: number; nginxP50?: number; nginxP99?: number };
}

interface Parts {
  upstreamUrl: string;
  upstreamPort: number;
  relayUrl: string;
  /** Process ids of relay and connector (isolated runs). */
  pids?: { relay: number; connector: number };
}

async function startIsolated(secret: Buffer, dir: string, stops: (() => Promise<void> | void)[], prof?: string): Promise<Parts> {
  const upstream = await spawnBenchNode({ role: 'upstream' }, prof);
  stops.push(async () => void (await upstream.stop()));
  const relay = await spawnBenchNode({ role: 'relay', secret: secret.toString('base64url'), auditFile: join(dir, 'audit.log') }, prof);
  stops.push(async () => void (await relay.stop()));
  const token = await mintToken(secret, { tunnel: 'bench', roles: ['connect'], ttlSec: 3600 });
  const connector = await spawnBenchNode({ role: 'connector', relay: relay.info.url as string, token, upstream: upstream.info.url as string }, prof);
  stops.push(async () => void (await connector.stop()));
  return { upstreamUrl: upstream.info.url as string, upstreamPort: upstream.info.port as number, relayUrl: relay.info.url as string, pids: { relay: relay.pid, connector: connector.pid } };
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

const cpuOf = (pid: number) => () => processCpuMs(pid);

export async function benchRelay(options: Partial<RelayBenchOptions> = {}): Promise<RelayBenchResult> {
  const o = { ...DEFAULT_RELAY_BENCH, ...options };
  for (const k of ['concurrency', 'calls', 'latencyCalls', 'rounds'] as const) if (!(o[k] >= 1)) throw new RangeError(`${k} must be ≥ 1`);
  if (!(o.warmup >= 0)) throw new RangeError('warmup must be ≥ 0');
  if (!(Number.isInteger(o.warmupRounds) && o.warmupRounds >= 0)) throw new RangeError('warmupRounds must be an integer ≥ 0');
  const isolate = o.isolate === 'auto' ? canSpawnBenchNodes() : o.isolate;
  if (isolate && !canSpawnBenchNodes()) throw new RangeError('isolate needs the compiled build (npm run build)');
  const secret = randomBytes(32);
  const dir = mkdtempSync(join(tmpdir(), 'tunnelsim-bench-relay-'));
  const stops: (() => Promise<void> | void)[] = [() => rmSync(dir, { recursive: true, force: true })];
  const legs: LegSpec[] = [];
  const measured = new Map<string, Measured[]>();
  const peersSkipped: Partial<Record<PeerName, string>> = {};
  let nginxSkipped: string | undefined;
  try {
    const parts = isolate ? await startIsolated(secret, dir, stops, o.cpuProfileDir) : await startInProcess(secret, dir, stops);
    const useToken = await mintToken(secret, { tunnel: 'bench', roles: ['use'], ttlSec: 3600 });
    legs.push({ name: 'direct', url: parts.upstreamUrl, cpu: {} });
    const relayCpu: LegSpec['cpu'] = parts.pids ? { relay: cpuOf(parts.pids.relay), connector: cpuOf(parts.pids.connector) } : {};
    legs.push({ name: 'relay', url: `${parts.relayUrl}/t/bench/mcp`, token: useToken, cpu: relayCpu });
    const nginx = o.nginx === false ? undefined : await startNginx(parts.upstreamPort, '/mcp', o.nginx);
    if (nginx) {
      stops.push(() => nginx.stop());
      legs.push({ name: 'nginx', url: nginx.url, cpu: { nginx: () => nginx.cpuMs() } });
    } else nginxSkipped = o.nginx === false ? 'nginx leg disabled' : `nginx not found at ${o.nginx} (apt-get install nginx)`;
    for (const name of o.peers === false ? [] : o.peers) {
      const started = await startPeer(name, dir);
      if (started.kind === 'skipped') {
        peersSkipped[name] = started.reason;
        continue;
      }
      stops.push(() => started.stack.stop());
      const cpu = Object.fromEntries(Object.entries(started.stack.pids).map(([k, pid]) => [k, cpuOf(pid)]));
      legs.push({ name: `peer:${name}`, url: started.stack.url, token: started.stack.token, cpu });
    }
    if (o.peers === false) for (const name of PEER_NAMES) peersSkipped[name] = 'peers leg disabled';
    for (const l of legs) measured.set(l.name, []);
    for (let r = 0; r < o.warmupRounds + o.rounds; r++) {
      // Rotating the order each round spreads any effect of going first or last over every leg.
      for (let i = 0; i < legs.length; i++) {
        const leg = legs[(i + r) % legs.length];
        const m = await measureLeg(leg, o);
        if (r >= o.warmupRounds) measured.get(leg.name)?.push(m);
      }
    }
  } finally {
    for (const stop of stops.reverse()) await stop();
  }
  const get = (name: string) => measured.get(name) ?? [];
  const direct = medianLeg(get('direct'));
  const viaRelay = medianLeg(get('relay'));
  const viaNginx = get('nginx').length ? medianLeg(get('nginx')) : undefined;
  const peers: Partial<Record<PeerName, LegResult>> = {};
  for (const name of PEER_NAMES) if (get(`peer:${name}`).length) peers[name] = medianLeg(get(`peer:${name}`));
  const ratioRounds: Record<string, number[]> = {};
  const ratio = (key: string, a: string, b: string, f: (x: Measured, y: Measured) => number): number | undefined => {
    const xs = get(a);
    const ys = get(b);
    if (!xs.length || !ys.length) return undefined;
    ratioRounds[key] = xs.map((x, i) => f(x, ys[i]));
    return median(ratioRounds[key]);
  };
  const rps = (x: Measured, y: Measured) => x.reqPerSec / y.reqPerSec;
  const p50 = (x: Measured, y: Measured) => y.p50Ms / x.p50Ms;
  const p99 = (x: Measured, y: Measured) => y.p99Ms / x.p99Ms;
  const ratios: RelayBenchResult['ratios'] = { relayVsDirect: ratio('relayVsDirect', 'relay', 'direct', rps) as number };
  const optional = {
    relayVsNginx: ratio('relayVsNginx', 'relay', 'nginx', rps),
    relayVsNginxP50: ratio('relayVsNginxP50', 'relay', 'nginx', p50),
    relayVsNginxP99: ratio('relayVsNginxP99', 'relay', 'nginx', p99),
    nginxVsDirect: ratio('nginxVsDirect', 'nginx', 'direct', rps),
    tunnelsimVsSupergateway: ratio('tunnelsimVsSupergateway', 'peer:tunnelsim', 'peer:supergateway', rps),
    tunnelsimVsSupergatewayP99: ratio('tunnelsimVsSupergatewayP99', 'peer:tunnelsim', 'peer:supergateway', p99),
    tunnelsimVsMcpProxy: ratio('tunnelsimVsMcpProxy', 'peer:tunnelsim', 'peer:mcpProxy', rps),
    tunnelsimVsMcpProxyP99: ratio('tunnelsimVsMcpProxyP99', 'peer:tunnelsim', 'peer:mcpProxy', p99),
    tunnelsimSharedVsMcpProxy: ratio('tunnelsimSharedVsMcpProxy', 'peer:tunnelsimShared', 'peer:mcpProxy', rps),
    tunnelsimSharedVsMcpProxyP99: ratio('tunnelsimSharedVsMcpProxyP99', 'peer:tunnelsimShared', 'peer:mcpProxy', p99),
  };
  for (const [k, v] of Object.entries(optional)) if (v !== undefined) ratios[k as keyof typeof optional] = v;
  const cpuPerRequestUs = { relay: viaRelay.cpuUs?.relay, connector: viaRelay.cpuUs?.connector, nginx: viaNginx?.cpuUs?.nginx };
  const cpu = cpus();
  return {
    machine: { cpus: cpu.length, model: cpu[0]?.model ?? 'unknown', node: process.version, loadAverage: loadavg() },
    options: o,
    isolation: isolate ? 'processes' : 'in-process',
    direct,
    relay: viaRelay,
    ...(viaNginx ? { nginx: viaNginx } : { nginxSkipped }),
    peers,
    peersSkipped,
    ratios,
    ratioRounds,
    ...(Object.values(cpuPerRequestUs).some((v) => v !== undefined) ? { cpuPerRequestUs } : {}),
    addedMs: {
      relayP50: viaRelay.p50Ms - direct.p50Ms,
      relayP99: viaRelay.p99Ms - direct.p99Ms,
      ...(viaNginx ? { nginxP50: viaNginx.p50Ms - direct.p50Ms, nginxP99: viaNginx.p99Ms - direct.p99Ms } : {}),
    },
  };
}
