/**
 * A simulated run's workflows as OTLP/JSON traces (`run --format otlp`), so a sim run opens in the
 * same trace viewer as a live run's exported spans. Pure: times are scenario time from the Unix
 * epoch (t = 0 is 1970-01-01T00:00:00Z) and every trace and span id is a hash of (seed, world,
 * workflow, call, attempt), so the file is byte-identical for a scenario and seed.
 *
 * Per workflow, one trace: an `invoke_agent` span from its first request to its last answer, a
 * CLIENT span `tools/call {tool}` per attempt (names and attributes of the OpenTelemetry MCP
 * conventions; a retry or hedge is another request, so another span) and, for each attempt the
 * server answered, a SERVER span child from its arrival at the server to its answer (queue +
 * service). The client span minus the server span is the tunnel and network time — the split
 * `tunnelsim import otlp` reads back. LLM turns are not spans here: the report's `llm` latency holds them.
 */
import { deriveSeed } from '../kernel/rng.js';
import { kv, msToNanos, SpanKind, StatusCode, type OtlpKeyValue, type OtlpSpan, type OtlpTraceRequest } from './otlp-json.js';

/** One attempt as the span capture saw it (scenario ms). */
export interface SimAttemptSpan {
  workflow: number;
  /** step · 64 + position in the step's parallel group */
  key: number;
  attempt: number;
  tool: string;
  start: number;
  /** When the caller had its outcome (answer, timeout, cancel); undefined: none before the world ended. */
  end?: number;
  /** 'ok', a failure kind, 'cancelled' (another attempt won) or 'unanswered'. */
  outcome: string;
  errorCode: number;
  retry: boolean;
  hedge: boolean;
  /** The server's part, when the server answered the attempt. */
  server?: { arrivedAt: number; queueMs: number; serviceMs: number };
}

/** The captured attempts of one world. */
export interface SimWorldSpans {
  /** World id, `policy#replication`. */
  world: string;
  policy: string;
  replication: number;
  /** Scenario ms the world ran (the end of attempts still unanswered). */
  endMs: number;
  attempts: SimAttemptSpan[];
}

export interface SimOtlpInfo {
  scenario: string;
  seed: number;
  version: string;
}

export const SIM_SCOPE = 'tunnelsim.sim';

/** `words` 32-bit hex words of a hash of `label` under `seed`; never all zero (an invalid OTLP id). */
function hexId(seed: number, label: string, words: number): string {
  let s = '';
  for (let i = 0; i < words; i++) s += (deriveSeed(seed, `${label}#${i}`) >>> 0).toString(16).padStart(8, '0');
  return /^0+$/.test(s) ? `${s.slice(0, -1)}1` : s;
}

function resource(service: string, info: SimOtlpInfo, w: SimWorldSpans): { attributes: OtlpKeyValue[] } {
  return {
    attributes: [
      kv('service.name', service),
      kv('service.version', info.version),
      kv('tunnelsim.mode', 'sim'),
      kv('tunnelsim.scenario', info.scenario),
      kv('tunnelsim.seed', info.seed),
      kv('tunnelsim.policy', w.policy),
      kv('tunnelsim.world', w.world),
    ],
  };
}

function callAttributes(a: SimAttemptSpan, world: string): OtlpKeyValue[] {
  return [
    kv('mcp.method.name', 'tools/call'),
    kv('gen_ai.tool.name', a.tool),
    kv('gen_ai.operation.name', 'execute_tool'),
    kv('jsonrpc.request.id', `${a.workflow}:${a.key}:${a.attempt}`),
    kv('gen_ai.conversation.id', conversation(world, a.workflow)),
    kv('tunnelsim.workflow', a.workflow),
    kv('tunnelsim.step', Math.floor(a.key / 64)),
    kv('tunnelsim.position', a.key % 64),
    kv('tunnelsim.attempt', a.attempt),
  ];
}

/** One agent run, named across worlds: the same workflow under two policies is two runs. */
function conversation(world: string, workflow: number): string {
  return `${world}/workflow-${workflow}`;
}

function failed(a: SimAttemptSpan, attrs: OtlpKeyValue[]): OtlpSpan['status'] {
  if (a.outcome === 'ok') return { code: StatusCode.unset };
  attrs.push(kv('error.type', a.outcome === 'error' && a.errorCode ? String(a.errorCode) : a.outcome));
  if (a.outcome === 'error' && a.errorCode) attrs.push(kv('rpc.response.status_code', String(a.errorCode)));
  return { code: StatusCode.error, message: a.outcome };
}

/** One world as an `ExportTraceServiceRequest`: the agent's spans and the server's, as two resources. */
export function simWorldRequest(info: SimOtlpInfo, w: SimWorldSpans): OtlpTraceRequest {
  const byWorkflow = new Map<number, SimAttemptSpan[]>();
  for (const a of w.attempts) {
    let list = byWorkflow.get(a.workflow);
    if (!list) byWorkflow.set(a.workflow, (list = []));
    list.push(a);
  }
  const agent: OtlpSpan[] = [];
  const server: OtlpSpan[] = [];
  const idSeed = deriveSeed(info.seed, `otlp:${info.scenario}:${w.world}`);
  for (const wf of [...byWorkflow.keys()].sort((x, y) => x - y)) {
    const attempts = byWorkflow.get(wf)!.sort((x, y) => x.start - y.start || x.key - y.key || x.attempt - y.attempt);
    const traceId = hexId(idSeed, `trace/${wf}`, 4);
    const rootId = hexId(idSeed, `root/${wf}`, 2);
    let first = Infinity;
    let last = -Infinity;
    for (const a of attempts) {
      const end = a.end ?? w.endMs;
      first = Math.min(first, a.start);
      last = Math.max(last, end);
      const spanId = hexId(idSeed, `client/${wf}/${a.key}/${a.attempt}`, 2);
      const attrs = callAttributes(a, w.world);
      attrs.push(kv('tunnelsim.retry', a.retry), kv('tunnelsim.hedge', a.hedge));
      const status = failed(a, attrs);
      agent.push({ traceId, spanId, parentSpanId: rootId, name: `tools/call ${a.tool}`, kind: SpanKind.client, startTimeUnixNano: msToNanos(a.start), endTimeUnixNano: msToNanos(end), attributes: attrs, status });
      if (a.server) {
        const s = a.server;
        const sAttrs = callAttributes(a, w.world);
        sAttrs.push(kv('tunnelsim.server_queue_ms', s.queueMs));
        server.push({
          traceId,
          spanId: hexId(idSeed, `server/${wf}/${a.key}/${a.attempt}`, 2),
          parentSpanId: spanId,
          name: `tools/call ${a.tool}`,
          kind: SpanKind.server,
          startTimeUnixNano: msToNanos(s.arrivedAt),
          endTimeUnixNano: msToNanos(s.arrivedAt + s.queueMs + s.serviceMs),
          attributes: sAttrs,
          status: failed(a, sAttrs),
        });
      }
    }
    agent.push({
      traceId,
      spanId: rootId,
      name: `invoke_agent ${info.scenario}`,
      kind: SpanKind.internal,
      startTimeUnixNano: msToNanos(first),
      endTimeUnixNano: msToNanos(last),
      attributes: [kv('gen_ai.operation.name', 'invoke_agent'), kv('gen_ai.agent.name', info.scenario), kv('gen_ai.conversation.id', conversation(w.world, wf)), kv('tunnelsim.workflow', wf)],
      status: { code: StatusCode.unset },
    });
  }
  const scope = { name: SIM_SCOPE, version: info.version };
  return {
    resourceSpans: [
      { resource: resource('tunnelsim-agent', info, w), scopeSpans: [{ scope, spans: agent }] },
      { resource: resource('tunnelsim-server', info, w), scopeSpans: [{ scope, spans: server }] },
    ],
  };
}

/** The run as OTLP/JSON lines, one `ExportTraceServiceRequest` per world (the Collector file exporter's layout). */
export function simOtlpJsonl(info: SimOtlpInfo, worlds: readonly SimWorldSpans[]): string {
  return worlds.map((w) => `${JSON.stringify(simWorldRequest(info, w))}\n`).join('');
}
