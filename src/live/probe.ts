/**
 * `tunnelsim probe`: measures a real MCP endpoint. Calls each tool (or the one asked) `calls` times,
 * one call at a time so the figures are the endpoint's and not a queue's, records each call's
 * latency and result size (tokens of its text content), and writes them as empirical samples —
 * one value per line — that a scenario loads with `{ dist: empirical, file: … }`. It can also
 * write what it did as a trace (`probeTrace`): one session per tool, one step per answered call,
 * with the round trip as the call's time — replayed verbatim by `workflow: { trace: file }`.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { probeLatencyFile, probeTokensFile } from '../scenario/probe-files.js';
import { traceJsonl } from '../scenario/trace.js';
import { tokenCounter, type EncodingName } from '../tokens/tokenizer.js';

export interface ProbeOptions {
  url: string;
  /** Probe only these tools. @default every tool the endpoint lists */
  tools?: string[];
  /** Calls per tool. @default 100 */
  calls: number;
  /** Arguments for every call. @default {} */
  args: Record<string, unknown>;
  /** Sent as `Authorization: Bearer …` when set. @default undefined */
  token?: string;
  /** Uncounted calls per tool first (connection set-up, JIT, caches). @default 5 */
  warmup: number;
  /** @default 'o200k_base' */
  encoding: EncodingName;
}

export const DEFAULT_PROBE: Omit<ProbeOptions, 'url'> = { calls: 100, args: {}, warmup: 5, encoding: 'o200k_base' };

export interface ToolProbe {
  tool: string;
  /** Latency of each call, ms, in call order. */
  latencyMs: number[];
  /** Result tokens of each call. */
  resultTokens: number[];
  /** Calls that failed (JSON-RPC error or `isError`); not in the samples. */
  errors: number;
  /** Tokens of the arguments every call sent. */
  argTokens: number;
}

export async function probe(options: Pick<ProbeOptions, 'url'> & Partial<ProbeOptions>): Promise<ToolProbe[]> {
  const o = { ...DEFAULT_PROBE, ...options };
  if (!(Number.isInteger(o.calls) && o.calls >= 1)) throw new RangeError(`calls must be an integer ≥ 1, got ${o.calls}`);
  const counter = tokenCounter(o.encoding);
  const headers: Record<string, string> = o.token ? { Authorization: `Bearer ${o.token}` } : {};
  const client = new Client({ name: 'tunnelsim-probe', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(o.url), { requestInit: { headers } }));
  try {
    const listed = (await client.listTools()).tools.map((t) => t.name);
    const tools = o.tools ?? listed;
    for (const t of tools) if (!listed.includes(t)) throw new RangeError(`the endpoint has no tool '${t}' (it lists: ${listed.join(', ')})`);
    const out: ToolProbe[] = [];
    const argTokens = counter.count(JSON.stringify(o.args));
    for (const tool of tools) {
      const p: ToolProbe = { tool, latencyMs: [], resultTokens: [], errors: 0, argTokens };
      for (let i = 0; i < o.warmup + o.calls; i++) {
        const start = performance.now();
        let r: CallToolResult | undefined;
        try {
          r = (await client.callTool({ name: tool, arguments: o.args })) as CallToolResult;
        } catch {
          r = undefined;
        }
        const ms = performance.now() - start;
        if (i < o.warmup) continue;
        if (!r || r.isError) {
          p.errors++;
          continue;
        }
        p.latencyMs.push(ms);
        p.resultTokens.push(r.content.reduce((n, c) => n + (c.type === 'text' ? counter.count(c.text) : 0), 0));
      }
      out.push(p);
    }
    return out;
  } finally {
    await client.close();
  }
}

/** The probe as a trace (scenario/trace.ts): session k is the k-th tool's answered calls, one step each. */
export function probeTrace(probes: readonly ToolProbe[]): string {
  return traceJsonl(
    probes.flatMap((p, k) =>
      p.latencyMs.map((latencyMs, step) => ({ workflow: k, step, position: 0, tool: p.tool, latencyMs, argTokens: p.argTokens, resultTokens: p.resultTokens[step] })),
    ),
  );
}

/**
 * Writes `<tool>.latency.txt` (durations, `12.345ms` a line) and `<tool>.tokens.txt` (integers) per
 * tool into `dir`; returns the files written.
 */
export async function writeProbeFiles(probes: ToolProbe[], dir: string): Promise<{ tool: string; latency: string; tokens: string }[]> {
  await mkdir(dir, { recursive: true });
  const written: { tool: string; latency: string; tokens: string }[] = [];
  for (const p of probes) {
    const latency = join(dir, probeLatencyFile(p.tool));
    const tokens = join(dir, probeTokensFile(p.tool));
    const head = `# tunnelsim probe: ${p.tool}, ${p.latencyMs.length} calls`;
    await writeFile(latency, `${head}, latency per call\n${p.latencyMs.map((v) => `${v.toFixed(3)}ms`).join('\n')}\n`);
    await writeFile(tokens, `${head}, result tokens per call\n${p.resultTokens.join('\n')}\n`);
    written.push({ tool: p.tool, latency, tokens });
  }
  return written;
}
