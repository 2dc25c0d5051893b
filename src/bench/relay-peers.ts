/**
 * The peers leg of the relay benchmark: the same stdio MCP server (relay-stdio-upstream.ts) put on
 * Streamable HTTP by what a user would pick — supergateway and mcp-proxy, from npm — and by
 * tunnelsim itself, `tunnelsim relay` + `tunnelsim connect --stdio`, each run as its own CLI
 * process. The bridges differ in how many stdio servers they run: supergateway (stateful) and
 * tunnelsim by default spawn one per MCP session; mcp-proxy starts one at launch and shares it
 * between every session (one SDK `Client`, ids renamed). So tunnelsim runs twice — per session,
 * beside supergateway, and with `--share-upstream`, beside mcp-proxy — and each is compared with
 * the peer that does the same work. Each is given its lightest settings (no logging, no resumability store) so that tunnelsim is
 * compared with the peers at their best; tunnelsim runs with auth, signing and audit on (audit
 * lines to its stderr, which goes to a file). A bridge whose package is not installed is skipped,
 * with the reason.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { accepts, freePort } from './nginx.js';
import { stdioUpstreamCommand } from './relay-stdio-upstream.js';
import { mintToken } from '../tunnel/tokens.js';

export const PEER_NAMES = ['tunnelsim', 'tunnelsimShared', 'supergateway', 'mcpProxy'] as const;
export type PeerName = (typeof PEER_NAMES)[number];

export interface PeerStack {
  url: string;
  /** Bearer token the load client sends (tunnelsim's agents need one). */
  token?: string;
  /** The bridge's own processes, whose CPU the leg reports (the stdio servers they spawn are the upstream's). */
  pids: Record<string, number>;
  stop(): Promise<void>;
}

export type PeerStart = { kind: 'ok'; stack: PeerStack } | { kind: 'skipped'; reason: string };

const CLI = fileURLToPath(new URL('../cli/main.js', import.meta.url));

/** The entry script of an installed npm package's bin, or `undefined` when it is not installed. */
export function packageBin(pkg: string, bin: string): string | undefined {
  const require = createRequire(import.meta.url);
  for (const dir of require.resolve.paths(pkg) ?? []) {
    const manifest = join(dir, pkg, 'package.json');
    if (!existsSync(manifest)) continue;
    const bins = (JSON.parse(readFileSync(manifest, 'utf8')) as { bin?: string | Record<string, string> }).bin;
    const rel = typeof bins === 'string' ? bins : bins?.[bin];
    return rel === undefined ? undefined : join(dirname(manifest), rel);
  }
  return undefined;
}

/** A child whose stdout and stderr go to `log` (a pipe nobody drains would stall it). */
function child(args: string[], log: string, env: NodeJS.ProcessEnv = process.env): { proc: ChildProcess; exited: () => boolean } {
  const fd = openSync(log, 'a');
  const proc = spawn(process.execPath, args, { stdio: ['ignore', fd, fd], env });
  closeSync(fd);
  let gone = false;
  proc.once('exit', () => (gone = true));
  return { proc, exited: () => gone };
}

async function stopChild(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  const gone = new Promise((r) => proc.once('exit', r));
  proc.kill('SIGTERM');
  const timer = setTimeout(() => proc.kill('SIGKILL'), 5000);
  await gone;
  clearTimeout(timer);
}

/** Waits until `ready()` (up to ~10 s) or the process dies. */
async function until(ready: () => Promise<boolean>, exited: () => boolean, what: string, log: string): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (exited()) throw new Error(`${what} exited before it was ready (see ${log})`);
    if (await ready()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`${what} was not ready after 10 s (see ${log})`);
}

/** supergateway in stateful Streamable HTTP mode (its stateless mode spawns a server per request). */
async function startSupergateway(dir: string): Promise<PeerStart> {
  const bin = packageBin('supergateway', 'supergateway');
  if (!bin) return { kind: 'skipped', reason: 'supergateway is not installed (npm install --save-dev supergateway)' };
  const port = await freePort();
  const log = join(dir, 'supergateway.log');
  const c = child([bin, '--stdio', stdioUpstreamCommand(), '--outputTransport', 'streamableHttp', '--stateful', '--port', String(port), '--logLevel', 'none'], log);
  await until(() => accepts(port), c.exited, 'supergateway', log).catch(async (e: unknown) => {
    await stopChild(c.proc);
    throw e;
  });
  return { kind: 'ok', stack: { url: `http://127.0.0.1:${port}/mcp`, pids: { supergateway: c.proc.pid as number }, stop: () => stopChild(c.proc) } };
}

/** mcp-proxy's Streamable HTTP endpoint only, without its resumability event store. */
async function startMcpProxy(dir: string): Promise<PeerStart> {
  const bin = packageBin('mcp-proxy', 'mcp-proxy');
  if (!bin) return { kind: 'skipped', reason: 'mcp-proxy is not installed (npm install --save-dev mcp-proxy)' };
  const port = await freePort();
  const log = join(dir, 'mcp-proxy.log');
  const c = child([bin, '--host', '127.0.0.1', '--port', String(port), '--server', 'stream', '--no-eventStore', '--shell', '--', stdioUpstreamCommand()], log);
  await until(() => accepts(port), c.exited, 'mcp-proxy', log).catch(async (e: unknown) => {
    await stopChild(c.proc);
    throw e;
  });
  return { kind: 'ok', stack: { url: `http://127.0.0.1:${port}/mcp`, pids: { mcpProxy: c.proc.pid as number }, stop: () => stopChild(c.proc) } };
}

/** `tunnelsim relay` and `tunnelsim connect --stdio` (with `--share-upstream` when `shared`), as a user runs them (needs the compiled CLI). */
async function startTunnelsim(dir: string, shared: boolean): Promise<PeerStart> {
  if (!existsSync(CLI)) return { kind: 'skipped', reason: 'the tunnelsim CLI is not built (npm run build)' };
  const secret = randomBytes(32).toString('base64url');
  const env = { ...process.env, TUNNELSIM_JWT_SECRET: secret };
  const key = new TextEncoder().encode(secret);
  const port = await freePort();
  // The relay's audit lines go to its stderr, as by default; stderr is this file.
  const tag = shared ? 'tunnelsim-shared' : 'tunnelsim';
  const relayLog = join(dir, `${tag}-relay.log`);
  const relay = child([CLI, 'relay', '--port', String(port)], relayLog, env);
  const stops = [() => stopChild(relay.proc)];
  const stop = async () => {
    for (const s of stops.reverse()) await s();
  };
  try {
    await until(() => accepts(port), relay.exited, 'tunnelsim relay', relayLog);
    const base = `http://127.0.0.1:${port}`;
    const connectToken = await mintToken(key, { tunnel: 'peers', roles: ['connect'], ttlSec: 3600 });
    const connLog = join(dir, `${tag}-connect.log`);
    const share = shared ? ['--share-upstream'] : [];
    const conn = child([CLI, 'connect', '--relay', base, '--tunnel', 'peers', '--token', connectToken, '--stdio', stdioUpstreamCommand(), ...share], connLog, env);
    stops.push(() => stopChild(conn.proc));
    const online = async () => {
      const h = await fetch(`${base}/healthz`).then((r) => r.json() as Promise<{ connectors?: number }>, () => undefined);
      return (h?.connectors ?? 0) > 0;
    };
    await until(online, conn.exited, 'tunnelsim connect', connLog);
    const token = await mintToken(key, { tunnel: 'peers', roles: ['use'], ttlSec: 3600 });
    return { kind: 'ok', stack: { url: `${base}/t/peers/mcp`, token, pids: { relay: relay.proc.pid as number, connector: conn.proc.pid as number }, stop } };
  } catch (e) {
    await stop();
    throw e;
  }
}

/**
 * Starts one bridge. A peer that is installed but will not start is skipped with its error (a
 * release of theirs that changed its flags must not sink the benchmark); tunnelsim failing to start
 * is a bug here, and throws.
 */
export async function startPeer(name: PeerName, dir: string): Promise<PeerStart> {
  if (name === 'tunnelsim' || name === 'tunnelsimShared') return startTunnelsim(dir, name === 'tunnelsimShared');
  try {
    return await (name === 'supergateway' ? startSupergateway(dir) : startMcpProxy(dir));
  } catch (e) {
    return { kind: 'skipped', reason: (e as Error).message };
  }
}
