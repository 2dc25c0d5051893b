/**
 * `tunnelsim import otlp`: the fixture is written by the real OpenTelemetry JS SDK — its tracer,
 * W3C propagator (traceparent carried in a `_meta` object, as the MCP conventions say) and OTLP/HTTP
 * exporter sending to a local receiver — never typed by hand. The import must recover each call's
 * round trip, server time and tunnel time exactly, fit the LLM turns' closed form, and the replay of
 * what it wrote must reproduce the imported calls' latency percentiles within 1 %.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { context, defaultTextMapGetter, defaultTextMapSetter, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type HrTime } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import seedrandom from 'seedrandom';
import { runSim } from '../../src/run/sim.js';
import { loadScenario } from '../../src/scenario/load.js';
import { percentile } from '../../src/scenario/otlp-scenario.js';
import { runCli } from '../helpers/cli.js';
import { startOtlpReceiver, type OtlpReceiver } from '../helpers/otlp-receiver.js';

const SESSIONS = 80;
const STEPS = 5;
const TTFT_MS = 300;
const TOKENS_PER_SEC = 50;
/** 2026-01-01T00:00:00Z, as an HrTime origin (exact to the nanosecond through the exporter). */
const BASE_S = 1_767_225_600;

function at(ms: number): HrTime {
  const ns = Math.round(ms * 1e6);
  return [BASE_S + Math.floor(ns / 1e9), ns % 1e9];
}

interface Drawn {
  tool: string;
  callMs: number;
  serverMs: number;
}

/** Agent runs through the SDK: invoke_agent → chat turns → tools/call CLIENT → (traceparent in _meta) → SERVER. */
async function writeFixture(receiver: OtlpReceiver): Promise<{ file: string; drawn: Drawn[] }> {
  const exporter = (service: string) =>
    new BasicTracerProvider({
      resource: resourceFromAttributes({ 'service.name': service }),
      // Batches, as in production: one export request per batch, none dropped for concurrency.
      spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url: `${receiver.url}/v1/traces` }), { maxQueueSize: 100_000, maxExportBatchSize: 500 })],
    });
  const agentProvider = exporter('agent');
  const serverProvider = exporter('mcp-server');
  const agent = agentProvider.getTracer('fixture-agent');
  const server = serverProvider.getTracer('fixture-server');
  const propagator = new W3CTraceContextPropagator();
  const rng = seedrandom.alea('otlp-fixture');
  const lognormal = (median: number, sigma: number) => median * Math.exp(sigma * Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng()));
  const drawn: Drawn[] = [];
  let t = 0;
  const call = (parent: typeof ROOT_CONTEXT, tool: string, start: number) => {
    const tunnel = lognormal(40, 0.5);
    const serverMs = lognormal(tool === 'crm.search' ? 120 : 30, 0.8);
    const callMs = tunnel + serverMs;
    const span = agent.startSpan(`tools/call ${tool}`, { kind: SpanKind.CLIENT, startTime: at(start), attributes: { 'mcp.method.name': 'tools/call', 'gen_ai.tool.name': tool, 'gen_ai.operation.name': 'execute_tool' } }, parent);
    // The client puts its context into params._meta; the server takes it out again.
    const meta: Record<string, string> = {};
    propagator.inject(trace.setSpan(parent, span), meta, defaultTextMapSetter);
    const remote = propagator.extract(ROOT_CONTEXT, meta, defaultTextMapGetter);
    server.startSpan(`tools/call ${tool}`, { kind: SpanKind.SERVER, startTime: at(start + tunnel / 2), attributes: { 'mcp.method.name': 'tools/call', 'gen_ai.tool.name': tool } }, remote).end(at(start + tunnel / 2 + serverMs));
    span.end(at(start + callMs));
    drawn.push({ tool, callMs, serverMs });
    return callMs;
  };
  for (let s = 0; s < SESSIONS; s++) {
    const root = agent.startSpan('invoke_agent fixture', { startTime: at(t), attributes: { 'gen_ai.operation.name': 'invoke_agent' } });
    const ctx = trace.setSpan(context.active(), root);
    for (let step = 0; step < STEPS; step++) {
      const output = 20 + Math.floor(rng() * 200);
      const llmMs = TTFT_MS + (output / TOKENS_PER_SEC) * 1000;
      agent
        .startSpan('chat model-x', { kind: SpanKind.CLIENT, startTime: at(t), attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'model-x', 'gen_ai.usage.input_tokens': 1000 + 300 * step, 'gen_ai.usage.output_tokens': output } }, ctx)
        .end(at(t + llmMs));
      t += llmMs + 1;
      // Step 2 calls two tools in parallel; the others one, alternating.
      if (step === 2) t += Math.max(call(ctx, 'crm.search', t), call(ctx, 'kb.lookup', t)) + 1;
      else t += call(ctx, step % 2 ? 'kb.lookup' : 'crm.search', t) + 1;
    }
    root.end(at(t));
    t += 1000;
  }
  // Spans it cannot use: a tools/call without a tool name, and a server span whose client is not in the file.
  agent.startSpan('tools/call', { kind: SpanKind.CLIENT, startTime: at(t), attributes: { 'mcp.method.name': 'tools/call' } }).end(at(t + 5));
  const orphan = propagator.extract(ROOT_CONTEXT, { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' }, defaultTextMapGetter);
  server.startSpan('tools/call kb.lookup', { kind: SpanKind.SERVER, startTime: at(t), attributes: { 'mcp.method.name': 'tools/call', 'gen_ai.tool.name': 'kb.lookup' } }, orphan).end(at(t + 3));
  const failing = agent.startSpan('tools/call kb.lookup', { kind: SpanKind.CLIENT, startTime: at(t + 10), attributes: { 'mcp.method.name': 'tools/call', 'gen_ai.tool.name': 'kb.lookup', 'error.type': 'timeout' } });
  failing.setStatus({ code: SpanStatusCode.ERROR });
  failing.end(at(t + 20));
  await agentProvider.shutdown();
  await serverProvider.shutdown();
  const dir = mkdtempSync(join(tmpdir(), 'tunnelsim-otlp-'));
  const file = join(dir, 'traces.json');
  writeFileSync(file, receiver.jsonl());
  return { file, drawn };
}

describe('tunnelsim import otlp', () => {
  let receiver: OtlpReceiver;
  let fixture: { file: string; drawn: Drawn[] };
  let out: string;
  let cli: { code: number; out: string; err: string };

  beforeAll(async () => {
    receiver = await startOtlpReceiver();
    fixture = await writeFixture(receiver);
    out = mkdtempSync(join(tmpdir(), 'tunnelsim-import-'));
    cli = await runCli(['import', 'otlp', fixture.file, '--out', out, '--name', 'prod']);
  });
  afterAll(() => receiver.close());

  it('reads the SDK exporter’s OTLP/JSON and names what it could not use, with counts', () => {
    expect(receiver.requests.length).toBeGreaterThan(0);
    expect(cli.code).toBe(0);
    expect(cli.out).toContain(`${fixture.drawn.length + 1} tool calls, ${SESSIONS * STEPS} LLM turns`);
    expect(cli.err).toContain('warning: 1 tools/call CLIENT spans without gen_ai.tool.name');
    expect(cli.err).toContain('warning: 1 SERVER tools/call spans with no agent CLIENT span above them in the trace');
    // The failed call has no server span: round trip only.
    expect(cli.err).toContain('warning: 1 tool calls without a server span');
  });

  it('splits each tool’s calls into server time and tunnel time exactly', () => {
    for (const tool of ['crm.search', 'kb.lookup']) {
      const read = (kind: string) => readFileSync(join(out, `${tool}.${kind}.txt`), 'utf8').split('\n').filter((l) => l && !l.startsWith('#')).map((l) => Number(l.replace(/ms$/, '')));
      const mine = fixture.drawn.filter((d) => d.tool === tool);
      const server = read('server');
      const tunnel = read('tunnel');
      const callMs = read('call');
      // Answered calls only (the failed one is out), in call order; 3 decimals = 1 µs.
      expect(callMs).toHaveLength(mine.length);
      for (let i = 0; i < mine.length; i++) {
        expect(Math.abs(server[i] - mine[i].serverMs)).toBeLessThan(1.5e-3);
        expect(Math.abs(tunnel[i] - (mine[i].callMs - mine[i].serverMs))).toBeLessThan(1.5e-3);
        expect(Math.abs(callMs[i] - mine[i].callMs)).toBeLessThan(1.5e-3);
      }
    }
  });

  it('fits the LLM turns’ closed form: duration = ttft + output ÷ rate', () => {
    const m = /fitted ttft ([\d.]+)ms \+ ([\d.]+) output tokens\/s/.exec(cli.out);
    expect(m).not.toBeNull();
    expect(Number(m![1])).toBeCloseTo(TTFT_MS, 0);
    expect(Number(m![2])).toBeCloseTo(TOKENS_PER_SEC, 0);
  });

  it('writes sessions a trace replays: the replay reproduces each tool’s call percentiles within 1 %', () => {
    const sessions = readFileSync(join(out, 'sessions.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { session: number; step: number });
    // One session per agent run (its trace), plus the two loose spans' traces; step 2's parallel pair shares a step.
    expect(new Set(sessions.map((s) => s.session)).size).toBe(SESSIONS + 1);
    expect(sessions.filter((s) => s.session === 0).map((s) => s.step)).toEqual([0, 1, 2, 2, 3, 4]);
    const report = runSim(loadScenario(join(out, 'prod.yaml')));
    const p = report.policies[0];
    expect(p.workflows.completed).toBe(SESSIONS + 1);
    for (const tool of ['crm.search', 'kb.lookup']) {
      // The imported population: every call of the tool, the failed one included (it is in the trace).
      const imported = fixture.drawn.filter((d) => d.tool === tool).map((d) => d.callMs);
      if (tool === 'kb.lookup') imported.push(10);
      const replay = p.tools[tool].call;
      for (const [q, got] of [[0.5, replay.p50], [0.95, replay.p95], [0.99, replay.p99]] as const) {
        expect(Math.abs(got! / percentile(imported, q) - 1)).toBeLessThan(0.01);
      }
    }
  });

  it('refuses a file that is not OTLP/JSON, naming it and the line, and writes nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tunnelsim-import-bad-'));
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, `${receiver.jsonl()}not json\n`);
    const r = await runCli(['import', 'otlp', bad, '--out', join(dir, 'out')]);
    expect(r.code).toBe(2);
    expect(r.err.trim().split('\n')).toHaveLength(1);
    expect(r.err).toMatch(/bad\.json: .*line \d+: not JSON/);
    const none = join(dir, 'none.json');
    writeFileSync(none, JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans: [{ traceId: 'ab', spanId: 'cd', name: 'GET /', kind: 2, startTimeUnixNano: '1', endTimeUnixNano: '2' }] }] }] }));
    const n = await runCli(['import', 'otlp', none, '--out', join(dir, 'out')]);
    expect(n.code).toBe(2);
    expect(n.err).toMatch(/no MCP tool calls found in 1 spans/);
    expect(() => readFileSync(join(dir, 'out', 'sessions.jsonl'))).toThrow();
  });
});
