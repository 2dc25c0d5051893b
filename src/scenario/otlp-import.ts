/**
 * Reads OTLP/JSON trace files — what an OTLP/HTTP JSON exporter posts and the OpenTelemetry
 * Collector's file exporter writes, one `ExportTraceServiceRequest` per line (a whole-file JSON
 * document works too) — and picks out what a scenario can use, by the OpenTelemetry MCP and GenAI
 * conventions:
 *
 * - an agent's tool call: a CLIENT span with `mcp.method.name = tools/call` (or named `tools/call X`)
 *   and `gen_ai.tool.name`, with no tools/call CLIENT span above it (one above it makes it a hop of a
 *   proxy, such as tunnelsim's connector);
 * - the server's side of it: a SERVER tools/call span below that client span in the same trace
 *   (tunnelsim's relay hop marks itself `tunnelsim.hop` and is not a server). Client time minus
 *   server time is the tunnel and network time;
 * - an LLM turn: a span with `gen_ai.operation.name` chat / text_completion / generate_content, its
 *   duration and `gen_ai.usage.input_tokens` / `output_tokens`.
 *
 * Spans it cannot use are counted by reason, never silently dropped (`ImportResult.skipped`).
 */
import { TunnelsimError } from '../errors.js';
import { attributeMap, nanosToMs, SpanKind, StatusCode, type AttrValue, type OtlpTraceRequest } from '../report/otlp-json.js';

export interface FlatSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  /** Epoch ms. */
  start: number;
  end: number;
  attrs: Map<string, AttrValue>;
  error: boolean;
}

/** An agent's tool call, with its server side where the trace has it. */
export interface ImportedCall {
  tool: string;
  /**
   * The session (one agent run) it belongs to: `gen_ai.conversation.id` when the span has one, else
   * its trace id. Not `mcp.session.id`: one MCP session may carry many agent runs.
   */
  session: string;
  start: number;
  end: number;
  /** The agent's round trip, ms. */
  callMs: number;
  /** The server's time, ms (undefined: no server span, or one that does not fit inside the call). */
  serverMs?: number;
  error: boolean;
  resultTokens?: number;
}

export interface ImportedTurn {
  durationMs: number;
  inputTokens?: number;
  outputTokens?: number;
  model?: string;
}

export interface ImportResult {
  calls: ImportedCall[];
  turns: ImportedTurn[];
  /** Spans read, over all files. */
  spans: number;
  /** Spans that are neither tool calls nor LLM turns (agent spans, HTTP, database, …): not an error, just not ours. */
  ignored: number;
  /** Reason → count of spans that looked like ours but could not be used (or only in part). */
  skipped: Map<string, number>;
}

const LLM_OPERATIONS = new Set(['chat', 'text_completion', 'generate_content']);

/** Parses one file's text into OTLP requests; a line that is not JSON is bad input, named by line. */
export function parseOtlpText(text: string, file: string): OtlpTraceRequest[] {
  const whole = text.trim();
  if (whole === '') throw new TunnelsimError('BAD_INPUT', 'holds no OTLP data', { file });
  // A pretty-printed single request spans many lines; JSON lines hold one request each.
  try {
    const doc = JSON.parse(whole) as unknown;
    return Array.isArray(doc) ? (doc as OtlpTraceRequest[]) : [doc as OtlpTraceRequest];
  } catch {
    // fall through to JSON lines
  }
  const out: OtlpTraceRequest[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (!line) continue;
    try {
      out.push(JSON.parse(line) as OtlpTraceRequest);
    } catch {
      throw new TunnelsimError('BAD_INPUT', `line ${i + 1}: not JSON (expected OTLP/JSON: one ExportTraceServiceRequest per line)`, { file });
    }
  }
  return out;
}

function count(m: Map<string, number>, reason: string): void {
  m.set(reason, (m.get(reason) ?? 0) + 1);
}

/** Every span of the requests, flattened; resource attributes stay with their resource. */
export function flattenSpans(requests: readonly OtlpTraceRequest[], file: string, skipped: Map<string, number>): FlatSpan[] {
  const out: FlatSpan[] = [];
  for (const [i, r] of requests.entries()) {
    if (r === null || typeof r !== 'object' || !Array.isArray(r.resourceSpans)) {
      throw new TunnelsimError('BAD_INPUT', `request ${i + 1}: no resourceSpans (is this an OTLP trace file?)`, { file });
    }
    for (const rs of r.resourceSpans) {
      for (const ss of rs.scopeSpans ?? []) {
        for (const s of ss.spans ?? []) {
          const start = nanosToMs(s.startTimeUnixNano);
          const end = nanosToMs(s.endTimeUnixNano);
          if (typeof s.traceId !== 'string' || typeof s.spanId !== 'string' || !s.traceId || !s.spanId) {
            count(skipped, 'spans without a trace or span id');
            continue;
          }
          if (!Number.isFinite(start) || !Number.isFinite(end) || end < start) {
            count(skipped, 'spans whose end time is missing or before their start');
            continue;
          }
          out.push({
            traceId: s.traceId,
            spanId: s.spanId,
            parentSpanId: s.parentSpanId || undefined,
            name: typeof s.name === 'string' ? s.name : '',
            kind: s.kind ?? SpanKind.unspecified,
            start,
            end,
            attrs: attributeMap(s.attributes),
            error: s.status?.code === StatusCode.error,
          });
        }
      }
    }
  }
  return out;
}

function method(s: FlatSpan): string | undefined {
  const m = s.attrs.get('mcp.method.name');
  if (typeof m === 'string') return m;
  return /^[a-z]+\/[A-Za-z/]+(\s|$)/.test(s.name) ? s.name.split(/\s/)[0] : undefined;
}

function toolName(s: FlatSpan): string | undefined {
  const t = s.attrs.get('gen_ai.tool.name');
  if (typeof t === 'string' && t) return t;
  const m = /^tools\/call\s+(\S+)$/.exec(s.name);
  return m?.[1];
}

function numberAttr(s: FlatSpan, key: string): number | undefined {
  const v = s.attrs.get(key);
  return typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : undefined;
}

/** Classifies and pairs the spans of every file. */
export function importSpans(spans: readonly FlatSpan[], skipped: Map<string, number> = new Map()): ImportResult {
  const byId = new Map<string, FlatSpan>();
  for (const s of spans) {
    const key = `${s.traceId}/${s.spanId}`;
    if (byId.has(key)) count(skipped, 'spans seen twice (same trace and span id)');
    else byId.set(key, s);
  }
  const parent = (s: FlatSpan) => (s.parentSpanId ? byId.get(`${s.traceId}/${s.parentSpanId}`) : undefined);
  const isHop = (s: FlatSpan) => s.attrs.has('tunnelsim.hop');
  const isToolCall = (s: FlatSpan) => method(s) === 'tools/call';
  /** The outermost tools/call CLIENT span at or above `s` (the agent's), if any. */
  const agentCall = (s: FlatSpan): FlatSpan | undefined => {
    let found: FlatSpan | undefined;
    const seen = new Set<FlatSpan>();
    for (let p: FlatSpan | undefined = s; p && !seen.has(p); p = parent(p)) {
      seen.add(p);
      if (p.kind === SpanKind.client && isToolCall(p)) found = p;
    }
    return found;
  };

  const calls = new Map<FlatSpan, ImportedCall>();
  const turns: ImportedTurn[] = [];
  let ignored = 0;
  const servers: FlatSpan[] = [];
  for (const s of byId.values()) {
    const op = s.attrs.get('gen_ai.operation.name');
    if (typeof op === 'string' && LLM_OPERATIONS.has(op)) {
      const inputTokens = numberAttr(s, 'gen_ai.usage.input_tokens');
      const outputTokens = numberAttr(s, 'gen_ai.usage.output_tokens');
      if (inputTokens === undefined && outputTokens === undefined) count(skipped, 'LLM spans without gen_ai.usage tokens (duration kept)');
      const model = s.attrs.get('gen_ai.request.model') ?? s.attrs.get('gen_ai.response.model');
      turns.push({ durationMs: s.end - s.start, inputTokens, outputTokens, model: typeof model === 'string' ? model : undefined });
      continue;
    }
    // Other MCP methods (initialize, tools/list, …) are not workload; agent and HTTP spans are context.
    if (method(s) !== 'tools/call') {
      ignored++;
      continue;
    }
    if (isHop(s)) continue;
    if (s.kind === SpanKind.server) {
      servers.push(s);
      continue;
    }
    if (s.kind !== SpanKind.client) {
      count(skipped, 'tools/call spans that are neither CLIENT nor SERVER kind');
      continue;
    }
    if (agentCall(s) !== s) {
      count(skipped, 'tools/call CLIENT spans under another tools/call CLIENT span (a proxy hop, not the agent)');
      continue;
    }
    const tool = toolName(s);
    if (!tool) {
      count(skipped, 'tools/call CLIENT spans without gen_ai.tool.name');
      continue;
    }
    const conv = s.attrs.get('gen_ai.conversation.id');
    calls.set(s, {
      tool,
      session: typeof conv === 'string' && conv ? conv : s.traceId,
      start: s.start,
      end: s.end,
      callMs: s.end - s.start,
      error: s.error || s.attrs.has('error.type'),
      resultTokens: numberAttr(s, 'tunnelsim.result_tokens'),
    });
  }
  for (const s of servers) {
    const client = agentCall(s);
    const call = client && calls.get(client);
    if (!call) {
      count(skipped, 'SERVER tools/call spans with no agent CLIENT span above them in the trace');
      continue;
    }
    const serverMs = s.end - s.start;
    if (call.serverMs !== undefined) count(skipped, 'second SERVER spans for one call (the first kept)');
    // Durations, unlike start times, do not depend on two hosts' clocks agreeing: a longer server
    // span outlived its client — the client gave up first, or the server ended its span late.
    else if (serverMs > call.callMs) count(skipped, 'SERVER spans longer than their client span (the client gave up first, or the server ended its span after answering): no split for that call');
    else call.serverMs = serverMs;
    if (call.resultTokens === undefined) call.resultTokens = numberAttr(s, 'tunnelsim.result_tokens');
  }
  const list = [...calls.values()];
  const split = list.filter((c) => c.serverMs !== undefined).length;
  if (split < list.length) skipped.set('tool calls without a server span (round trip only, no tunnel/server split)', list.length - split);
  return { calls: list, turns, spans: spans.length, ignored, skipped };
}

/** Reads every file's text; fails (bad input) when nothing usable was found. */
export function importOtlp(files: readonly { file: string; text: string }[]): ImportResult {
  const skipped = new Map<string, number>();
  const spans = files.flatMap((f) => flattenSpans(parseOtlpText(f.text, f.file), f.file, skipped));
  const result = importSpans(spans, skipped);
  if (result.calls.length === 0) {
    const why = [...skipped].map(([r, n]) => `${n} ${r}`).join('; ');
    throw new TunnelsimError('BAD_INPUT', `no MCP tool calls found in ${spans.length} spans (need CLIENT spans with mcp.method.name = tools/call and gen_ai.tool.name)${why ? `: ${why}` : ''}`, { file: files.map((f) => f.file).join(', ') });
  }
  return result;
}
