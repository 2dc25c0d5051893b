/**
 * One part of the relay benchmark in its own process, so that on a small machine the upstream
 * server, the relay and the connector do not share one event loop with the load client (nginx, the
 * baseline, runs in its own process too). Run as `node bench-node.js <role> <json args>`; prints one
 * JSON line when ready and stops on SIGTERM. Only the compiled build can spawn it; from TypeScript
 * sources (tests) the benchmark runs every part in-process instead.
 */
import { existsSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { FileAuditSink } from '../tunnel/audit-file.js';
import { startBenchUpstream } from './relay-upstream.js';
import { Connector } from '../tunnel/connector.js';
import { RelayServer } from '../tunnel/relay-server.js';
import { upstreamFactory } from '../tunnel/upstream.js';

export type BenchRole =
  | { role: 'upstream' }
  | { role: 'relay'; secret: string; auditFile: string }
  | { role: 'connector'; relay: string; token: string; upstream: string };

export interface BenchChild {
  /** The child's process id (for reading its CPU time per leg from /proc). */
  pid: number;
  /** What the child printed when ready; `cpuMs` is the CPU it had used by then (start-up). */
  info: { url?: string; port?: number; cpuMs: number };
  /** Stops the child; resolves with the CPU time it used over its life, ms. */
  stop(): Promise<number | undefined>;
}

let profiles = 0;

const SELF = fileURLToPath(new URL('./relay-node.js', import.meta.url));

/** True when the compiled child entry exists (not when running from TypeScript sources). */
export function canSpawnBenchNodes(): boolean {
  return existsSync(SELF);
}

/**
 * `profileDir`: run the child with `--cpu-prof` and write its profile there, named by role
 * (`relay.<pid>.cpuprofile`), to see where the relay's and connector's CPU goes under the bench's load.
 */
export function spawnBenchNode(spec: BenchRole, profileDir?: string): Promise<BenchChild> {
  const prof = profileDir === undefined ? [] : ['--cpu-prof', '--cpu-prof-dir', profileDir, '--cpu-prof-name', `${spec.role}.${process.pid}.${++profiles}.cpuprofile`];
  const child = spawn(process.execPath, [...prof, SELF, JSON.stringify(spec)], { stdio: ['ignore', 'pipe', 'inherit'] });
  const gone = new Promise<void>((r) => child.once('exit', () => r()));
  const lines = createInterface({ input: child.stdout });
  let last = '';
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`bench ${spec.role} exited with ${code}`)));
    lines.once('line', (line) => {
      lines.on('line', (l) => (last = l));
      resolve({
        pid: child.pid as number,
        info: JSON.parse(line) as BenchChild['info'],
        stop: async () => {
          child.kill('SIGTERM');
          await gone;
          // The child's last line is its CPU account (see the SIGTERM handler below).
          const cpu = last ? (JSON.parse(last) as { cpuMs?: number }).cpuMs : undefined;
          return typeof cpu === 'number' ? cpu : undefined;
        },
      });
    });
  });
}

async function serve(spec: BenchRole): Promise<() => Promise<void>> {
  const say = (o: object) => {
    const u = process.cpuUsage();
    process.stdout.write(`${JSON.stringify({ ...o, cpuMs: (u.user + u.system) / 1000 })}\n`);
  };
  switch (spec.role) {
    case 'upstream': {
      const u = await startBenchUpstream();
      say({ url: u.url, port: u.port });
      return u.close;
    }
    case 'relay': {
      const audit = new FileAuditSink(spec.auditFile);
      const relay = await RelayServer.start({ key: Buffer.from(spec.secret, 'base64url'), audit, maxInFlightPerTunnel: 1024 });
      say({ url: `http://127.0.0.1:${relay.port}`, port: relay.port });
      return async () => (await relay.close(), audit.close());
    }
    case 'connector': {
      const c = new Connector({ relay: spec.relay, tunnel: 'bench', token: () => spec.token, upstream: upstreamFactory({ kind: 'http', url: spec.upstream }) });
      c.start();
      await c.ready();
      say({});
      return () => c.close();
    }
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const stop = await serve(JSON.parse(process.argv[2]) as BenchRole);
  process.once('SIGTERM', () =>
    void stop().then(() => {
      const u = process.cpuUsage();
      process.stdout.write(`${JSON.stringify({ cpuMs: (u.user + u.system) / 1000 })}\n`, () => process.exit(0));
    }),
  );
}
