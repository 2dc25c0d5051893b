/**
 * A lean MCP Streamable HTTP load client for the relay benchmark: raw keep-alive HTTP requests,
 * one session per virtual client, `tools/call` in a closed loop. The SDK `Client` would do, but
 * its per-call cost would sit in every leg's figures and blur the difference between paths.
 */
import { Agent, request } from 'node:http';

const PROTOCOL = '2025-06-18';

export interface LoadOptions {
  url: string;
  token?: string;
  /** Sessions calling in parallel. */
  concurrency: number;
  /** Calls per session after warm-up. */
  calls: number;
  /** Calls per session before measuring. */
  warmup: number;
}

export interface LoadResult {
  /** Per-call latencies, ms, all sessions. */
  latencies: Float64Array;
  /** Wall time of the measured phase, ms. */
  elapsedMs: number;
  /** HTTP requests sent, warm-up and session set-up included (for CPU per request). */
  requests: number;
}

let sent = 0;

function post(agent: Agent, url: URL, headers: Record<string, string>, body: string): Promise<{ status: number; sid?: string; text: string }> {
  sent++;
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'POST',
        agent,
        headers: { 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream', 'Content-Length': Buffer.byteLength(body), ...headers },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const sid = res.headers['mcp-session-id'];
          resolve({ status: res.statusCode ?? 0, sid: typeof sid === 'string' ? sid : undefined, text: Buffer.concat(chunks).toString() });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

async function session(agent: Agent, o: LoadOptions, out: number[], warmed: () => void, gate: Promise<void>): Promise<void> {
  const url = new URL(o.url);
  const auth: Record<string, string> = o.token ? { Authorization: `Bearer ${o.token}` } : {};
  const init = await post(agent, url, auth, JSON.stringify({ jsonrpc: '2.0', id: 0, method: 'initialize', params: { protocolVersion: PROTOCOL, capabilities: {}, clientInfo: { name: 'bench', version: '1' } } }));
  if (init.status !== 200 || !init.sid) throw new Error(`initialize failed: HTTP ${init.status} ${init.text.slice(0, 200)}`);
  const headers = { ...auth, 'mcp-session-id': init.sid, 'mcp-protocol-version': PROTOCOL };
  await post(agent, url, headers, JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }));
  const call = async (id: number) => {
    const r = await post(agent, url, headers, JSON.stringify({ jsonrpc: '2.0', id, method: 'tools/call', params: { name: 'ping', arguments: {} } }));
    if (r.status !== 200 || !r.text.includes('pong')) throw new Error(`call failed: HTTP ${r.status} ${r.text.slice(0, 200)}`);
  };
  try {
    for (let i = 0; i < o.warmup; i++) await call(i + 1);
  } finally {
    warmed();
  }
  await gate;
  for (let i = 0; i < o.calls; i++) {
    const t0 = performance.now();
    await call(o.warmup + i + 1);
    out.push(performance.now() - t0);
  }
}

/** Runs `concurrency` sessions of `calls` calls each; all warm up before any is measured. */
export async function runLoad(o: LoadOptions): Promise<LoadResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: o.concurrency * 2 });
  const samples: number[] = [];
  let open!: () => void;
  const gate = new Promise<void>((r) => (open = r));
  const sentBefore = sent;
  let warming = o.concurrency;
  let t0 = 0;
  const warmed = () => {
    if (--warming > 0) return;
    t0 = performance.now();
    open();
  };
  try {
    await Promise.all(Array.from({ length: o.concurrency }, () => session(agent, o, samples, warmed, gate)));
  } finally {
    agent.destroy();
  }
  return { latencies: Float64Array.from(samples), elapsedMs: performance.now() - t0, requests: sent - sentBefore };
}
