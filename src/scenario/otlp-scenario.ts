/**
 * What `tunnelsim import otlp` writes from the calls and turns it found (otlp-import.ts):
 *
 * - `<tool>.call.txt`, `<tool>.server.txt`, `<tool>.tunnel.txt` — empirical samples (`12.345ms` a
 *   line, as `probe` writes them) of each tool's round trip, server time and tunnel + network time
 *   (round trip − server time, for calls whose trace holds both sides), answered calls only;
 * - `sessions.jsonl` — the agent runs as a trace `workflow: { trace: … }` replays (scenario/trace.ts);
 *   each call's `latencyMs` is its round trip (`latency: 'call'`, the default: the replay then
 *   reproduces what the agents saw) or its server time where the trace has it (`'server'`, for
 *   scenarios that model the tunnel themselves);
 * - `llm.output-tokens.txt` and the turn figures, when the spans hold GenAI LLM turns;
 * - `<name>.yaml` — a scenario that replays the sessions with no modelled network, relay time or
 *   queueing, so its per-call latency is the imported latency; edit it to ask what-if questions.
 */
import { stringify } from 'yaml';
import { traceJsonl, type TracedCall } from './trace.js';
import type { ImportedCall, ImportedTurn, ImportResult } from './otlp-import.js';

export type TraceLatency = 'call' | 'server';

export interface ToolImport {
  tool: string;
  calls: number;
  errors: number;
  /** Answered calls' round trips, server times and tunnel times (ms), in call order. */
  callMs: number[];
  serverMs: number[];
  tunnelMs: number[];
  resultTokens: number[];
}

export interface LlmImport {
  turns: number;
  durationMs: number[];
  inputTokens: number[];
  outputTokens: number[];
  models: string[];
  /** Least-squares fit duration ≈ ttft + output / outputTokensPerSec, when it has a positive rate. */
  fit?: { ttftMs: number; outputTokensPerSec: number };
}

/** Nearest-rank percentile (the smallest value with at least p of the samples at or below it), as HdrHistogram reads one. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))];
}

export function toolImports(calls: readonly ImportedCall[]): ToolImport[] {
  const by = new Map<string, ToolImport>();
  for (const c of [...calls].sort((a, b) => a.start - b.start)) {
    let t = by.get(c.tool);
    if (!t) by.set(c.tool, (t = { tool: c.tool, calls: 0, errors: 0, callMs: [], serverMs: [], tunnelMs: [], resultTokens: [] }));
    t.calls++;
    if (c.error) {
      t.errors++;
      continue;
    }
    t.callMs.push(c.callMs);
    if (c.serverMs !== undefined) {
      t.serverMs.push(c.serverMs);
      t.tunnelMs.push(c.callMs - c.serverMs);
    }
    if (c.resultTokens !== undefined) t.resultTokens.push(c.resultTokens);
  }
  return [...by.values()].sort((a, b) => a.tool.localeCompare(b.tool));
}

export function llmImport(turns: readonly ImportedTurn[]): LlmImport | undefined {
  if (turns.length === 0) return undefined;
  const out: LlmImport = {
    turns: turns.length,
    durationMs: turns.map((t) => t.durationMs),
    inputTokens: turns.flatMap((t) => (t.inputTokens === undefined ? [] : [t.inputTokens])),
    outputTokens: turns.flatMap((t) => (t.outputTokens === undefined ? [] : [t.outputTokens])),
    models: [...new Set(turns.flatMap((t) => (t.model ? [t.model] : [])))].sort(),
  };
  const xy = turns.filter((t) => t.outputTokens !== undefined).map((t) => [t.outputTokens!, t.durationMs] as const);
  if (xy.length >= 2) {
    const mx = xy.reduce((s, [x]) => s + x, 0) / xy.length;
    const my = xy.reduce((s, [, y]) => s + y, 0) / xy.length;
    const sxx = xy.reduce((s, [x]) => s + (x - mx) ** 2, 0);
    const slope = sxx > 0 ? xy.reduce((s, [x, y]) => s + (x - mx) * (y - my), 0) / sxx : 0;
    const ttft = my - slope * mx;
    if (slope > 0 && ttft >= 0) out.fit = { ttftMs: ttft, outputTokensPerSec: 1000 / slope };
  }
  return out;
}

/** A tool name as a file-name part (as `probe` names its files). */
export function toolSlug(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[.-]+/, '') || 'tool';
}

function samples(head: string, values: readonly number[]): string {
  return `# ${head}\n${values.map((v) => `${v.toFixed(3)}ms`).join('\n')}\n`;
}

/** The sessions as a replayable trace: sessions in order of their first call; overlapping calls are one parallel step. */
export function importedTrace(calls: readonly ImportedCall[], latency: TraceLatency): { jsonl: string; sessions: number } {
  const sessions = new Map<string, ImportedCall[]>();
  for (const c of [...calls].sort((a, b) => a.start - b.start || a.end - b.end)) {
    let list = sessions.get(c.session);
    if (!list) sessions.set(c.session, (list = []));
    list.push(c);
  }
  const traced: TracedCall[] = [];
  let w = 0;
  for (const list of sessions.values()) {
    let step = -1;
    let position = 0;
    let groupEnd = -Infinity;
    for (const c of list) {
      // A call that starts before every call of the current step has ended ran beside them.
      if (c.start < groupEnd) {
        position++;
        groupEnd = Math.max(groupEnd, c.end);
      } else {
        step++;
        position = 0;
        groupEnd = c.end;
      }
      const latencyMs = latency === 'server' && c.serverMs !== undefined ? c.serverMs : c.callMs;
      traced.push({ workflow: w, step, position, tool: c.tool, latencyMs, resultTokens: c.resultTokens ?? 0 });
    }
    w++;
  }
  return { jsonl: traceJsonl(traced), sessions: sessions.size };
}

export interface ImportFilesOptions {
  /** The scenario's `name:` and file stem. @default 'imported' */
  name: string;
  /** @default 'call' */
  latency: TraceLatency;
  /** The input files, for the header comments. */
  sources: string[];
}

/** Every file the import writes: name → contents. */
export function importFiles(result: ImportResult, o: ImportFilesOptions): Map<string, string> {
  const files = new Map<string, string>();
  const tools = toolImports(result.calls);
  const source = `tunnelsim import otlp ${o.sources.join(' ')}`;
  for (const t of tools) {
    const s = toolSlug(t.tool);
    files.set(`${s}.call.txt`, samples(`${source}: ${t.tool}, ${t.callMs.length} answered calls, round trip per call`, t.callMs));
    if (t.serverMs.length > 0) {
      files.set(`${s}.server.txt`, samples(`${source}: ${t.tool}, ${t.serverMs.length} calls with a server span, server time per call`, t.serverMs));
      files.set(`${s}.tunnel.txt`, samples(`${source}: ${t.tool}, ${t.tunnelMs.length} calls with a server span, round trip − server time per call`, t.tunnelMs));
    }
  }
  const trace = importedTrace(result.calls, o.latency);
  files.set('sessions.jsonl', trace.jsonl);
  const llm = llmImport(result.turns);
  if (llm && llm.outputTokens.length > 0) files.set('llm.output-tokens.txt', `# ${source}: output tokens per LLM turn\n${llm.outputTokens.join('\n')}\n`);
  files.set(`${o.name}.yaml`, scenarioYaml(o, tools, llm, trace.sessions, source));
  return files;
}

function scenarioYaml(o: ImportFilesOptions, tools: ToolImport[], llm: LlmImport | undefined, sessions: number, source: string): string {
  const toolTable = Object.fromEntries(
    tools.map((t) => {
      const file = `${toolSlug(t.tool)}.${o.latency === 'server' && t.serverMs.length > 0 ? 'server' : 'call'}.txt`;
      const tokens = t.resultTokens.length > 0 ? Math.round(percentile(t.resultTokens, 0.5)) : 0;
      return [t.tool, { service: t.callMs.length > 0 ? { dist: 'empirical', file } : '0ms', resultTokens: tokens }];
    }),
  );
  const agents = Math.min(sessions, 64);
  const doc = {
    name: o.name,
    seed: 1,
    // The sessions replay verbatim, so further replications would only repeat them.
    replications: 1,
    workload: { model: 'closed', agents, workflows: sessions },
    workflow: { trace: 'sessions.jsonl' },
    llm: {
      ...(llm?.inputTokens.length ? { systemTokens: Math.min(...llm.inputTokens), toolSchemaTokens: 0, taskTokens: 0 } : {}),
      ...(llm?.outputTokens.length ? { outputTokensPerTurn: { dist: 'empirical', file: 'llm.output-tokens.txt' } } : {}),
      latency: llm?.fit
        ? { ttft: `${llm.fit.ttftMs.toFixed(3)}ms`, outputTokensPerSec: Number(llm.fit.outputTokensPerSec.toPrecision(6)), prefillTokensPerSec: 1e9 }
        : { ttft: '0ms', outputTokensPerSec: 1e9, prefillTokensPerSec: 1e9 },
    },
    relay: { processing: '0ms' },
    network: { agentToRelay: { latency: '0ms' }, relayToServer: { latency: '0ms' } },
    server: { concurrency: 1024, tools: toolTable },
    policies: [{ name: 'as-recorded', timeout: 'none' }],
  };
  const what = o.latency === 'server' ? "each call's server time where the spans have it (add the tunnel under network:)" : "each call's round trip as the agent saw it";
  const head = [
    `# Written by ${source}`,
    `# ${sessions} sessions replayed from sessions.jsonl; latencyMs there is ${what}.`,
    '# No network, relay time or server queueing is modelled, so each call takes the latency imported.',
    `# Per-tool samples: <tool>.call.txt (round trip), .server.txt and .tunnel.txt (where server spans exist).`,
    llm?.fit ? '# LLM time: ttft + output / outputTokensPerSec fitted to the imported turns (prefill is inside ttft).' : '# No LLM turns with token counts were imported: LLM time is 0.',
    '# Prices are zero: add llm.pricing (e.g. { preset: claude-sonnet-4-5 }) for a token bill.',
  ];
  return `${head.join('\n')}\n${stringify(doc)}`;
}
