/**
 * The caller's transport in live mode: each attempt is a real MCP `tools/call` through the SDK's
 * `Client` over Streamable HTTP to the relay, wrapped in the agent side of the fault-injecting link.
 *
 * How it works: `send` draws the attempt's agent→relay delay from the same keyed stream the
 * simulator uses (spikes and `slow` on the link included), waits it on the live clock, and then
 * plays the relay's part of the fault model — down windows (outage, token expiry) answer
 * `unavailable`, `rate-limit` a 429 with Retry-After, `reset` a closed connection, a `drop` on the
 * agent link never arrives — or sends the real request, tagged in `_meta` with (workflow, call,
 * attempt) so the upstream draws the same server side. Whatever comes back (a result, a JSON-RPC
 * error, an HTTP status from the relay) is mapped to the caller's outcome kinds (call-outcome.ts)
 * and delivered after the relay→agent delay. A timeout aborts the request's `AbortSignal`: the
 * SDK sends notifications/cancelled, which the relay forwards. When the tunnel drops (the start of
 * a down window) every attempt past the relay fails with `unavailable`, as in the simulator.
 */
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { keyPrefix, Purpose } from '../kernel/rng.js';
import { attemptUniform } from '../model/correlation.js';
import type { Recorder } from '../metrics/recorder.js';
import type { FaultModel } from '../model/faults.js';
import type { CallTransport } from '../policy/caller.js';
import type { Scenario } from '../scenario/types.js';
import type { CallIdentity, SimAttempt } from '../sim/attempt.js';
import { Availability } from '../sim/availability.js';
import { cutAfter } from '../sim/stream-cuts.js';
import type { TokenCounter } from '../tokens/tokenizer.js';
import type { LiveClock, TimerHandle } from './live-clock.js';
import { META_KEY, type AttemptTag } from './scenario-server.js';
import { expandArgs } from '../tunnel/tool-args.js';
import type { TracedCall } from '../scenario/trace.js';
import type { Span, Tracer } from '@opentelemetry/api';
import { CallSpans } from './call-tracing.js';
import { RealTrips } from './real-trips.js';
import { failedCall } from './call-outcome.js';
import { ResultTokens } from './result-tokens.js';

/** The SDK's own request timeout, disabled: the policy's caller owns timeouts. */
const NO_SDK_TIMEOUT = 2_000_000_000;

export interface LiveTransportOptions {
  sc: Scenario;
  seed: number;
  faults: FaultModel;
  clock: LiveClock;
  rec: Recorder;
  /** One MCP client session per live agent; workflow w uses `sessions[w % length]`. */
  sessions: Client[];
  /** Counts result tokens of real payloads. */
  counter: TokenCounter;
  /**
   * The sessions reach an external endpoint (`--target`): its network and server are real, so no
   * delay or fault is injected and calls carry no `_meta` tag. @default false
   */
  external?: boolean;
  /**
   * Told of every answered call, for writing a trace of the run (scenario/trace.ts): its server time
   * when the upstream reports it, else the round trip.
   */
  onCall?: (c: TracedCall) => void;
  /** Export a span per attempt (and per workflow) through this tracer (call-tracing.ts). @default none */
  tracer?: Tracer;
  /**
   * Told, per answered attempt, how much longer its trip through the real relay, connector and
   * upstream took than the delays the model injected there (scenario ms): the real stack's overhead,
   * which the simulator does not have. @default none
   */
  observeOverhead?: (scenarioMs: number) => void;
}

interface InFlight {
  a: SimAttempt;
  controller: AbortController;
  /** Past the relay: inside the tunnel, where a connector drop fails it. */
  inTunnel: boolean;
  /** An outcome is on its way back: later answers (an aborted request's rejection) are ignored. */
  replied: boolean;
  timer?: TimerHandle;
  /** The attempt's client span, when the run exports traces. */
  span?: Span;
  /** The hop cutoff (network.<link>.maxStreamDuration / idleTimeout) armed when the request reached the relay. */
  cut?: TimerHandle;
  /** When the real request went out (scenario ms); its answer's round trip less the modelled parts is overhead. */
  calledAt?: number;
  /** That round trip less the server's modelled parts, until the relay's queue time is known. */
  unmodelled?: number;
}

export class LiveTransport implements CallTransport {
  private readonly o: LiveTransportOptions;
  private readonly availability: Availability;
  /** Attempts the transport still owes an answer, by `w:k:a`. */
  private readonly flights = new Map<string, InFlight>();
  /** Scenario ms after which a hop cuts a request's stream (Infinity: never); sim/stream-cuts.ts. */
  private readonly cutAfter: number;
  /** Idents of calls with attempts in flight, for the upstream's execution reports. */
  private readonly idents = new Map<string, CallIdentity>();
  private readonly measured = new Map<string, number>();
  private readonly tokens: ResultTokens;
  private dropTimer: TimerHandle | undefined;
  private readonly spans: CallSpans | undefined;
  /** Results that answered another attempt than the one they were delivered to (must stay 0). */
  misrouted = 0;
  /** Real requests' wall-clock activity: a world with requests in the real stack is not stuck. */
  readonly trips = new RealTrips();

  constructor(o: LiveTransportOptions) {
    this.o = o;
    this.availability = new Availability(o.faults, o.seed, o.sc.relay.reconnectBase, o.sc.relay.reconnectMax);
    this.spans = o.tracer ? new CallSpans(o.tracer, o.sc.name) : undefined;
    this.tokens = new ResultTokens(o.counter);
    // Both hops' cuts run from the request's arrival at the relay: the agent side cannot see when
    // the relay forwards, so in live mode the relay's queue time counts against the tunnel hop's limit.
    this.cutAfter = o.external ? Infinity : Math.min(cutAfter(o.sc.network.agentToRelay), cutAfter(o.sc.network.relayToServer));
  }

  /** Tokens counted in real result payloads (a report figure). */
  get payloadTokens(): number {
    return this.tokens.total;
  }

  /** Starts the down-window timeline (call when the clock starts). */
  start(): void {
    if (!this.o.external) this.armDrop(-1);
  }

  close(): void {
    if (this.dropTimer) this.o.clock.cancel(this.dropTimer);
    for (const f of this.flights.values()) {
      f.controller.abort();
      this.endSpan(f, 'unanswered');
    }
    this.flights.clear();
    this.spans?.close();
  }

  private endSpan(f: InFlight, outcome: string, resultTokens?: number): void {
    if (!f.span || !this.spans) return;
    this.spans.end(f.span, f.a.ident.workflow, outcome, { resultTokens });
    f.span = undefined;
  }

  decide(ident: CallIdentity, attempt: number, now: number) {
    return this.o.faults.decideAttempt(ident.workflow, ident.key, attempt, ident.tool, now);
  }

  send(a: SimAttempt): void {
    const { clock } = this.o;
    a.key = keyPrefix(this.o.seed, a.ident.workflow, a.ident.key, a.index);
    a.key0 = a.index === 0 ? a.key : keyPrefix(this.o.seed, a.ident.workflow, a.ident.key, 0);
    const id = flightId(a.ident.workflow, a.ident.key, a.index);
    this.idents.set(`${a.ident.workflow}:${a.ident.key}`, a.ident);
    const f: InFlight = { a, controller: new AbortController(), inTunnel: false, replied: false };
    if (this.spans) f.span = this.spans.start(a.ident.workflow, this.o.sc.tools[a.ident.tool].name, a.index, Math.floor(a.ident.key / 64));
    this.flights.set(id, f);
    if (this.o.external) return this.call(f);
    const t = a.faults.terminal;
    // A lost request: only the caller's timeout ends it (its span, when traced, ends then).
    if ((t.kind === 'drop' && t.link === 'agentToRelay') || this.lost(a, 0)) return void (f.span || this.flights.delete(id));
    f.timer = clock.schedule(this.linkDelay(a, Purpose.linkAgentOut), () => this.atRelay(id, f));
  }

  cancel(a: SimAttempt): void {
    const id = flightId(a.ident.workflow, a.ident.key, a.index);
    const f = this.flights.get(id);
    if (!f) return;
    this.flights.delete(id);
    this.endSpan(f, a.outcome === 'ok' ? 'cancelled' : a.outcome);
    if (f.timer) this.o.clock.cancel(f.timer);
    if (f.cut) this.o.clock.cancel(f.cut);
    // Not yet at the relay: the relay never sees it. Otherwise notifications/cancelled goes out.
    if (f.inTunnel) f.controller.abort();
  }

  /** The upstream reports a successful execution: count duplicates and zombies as the simulator does. */
  executed(tag: AttemptTag): void {
    const ident = this.idents.get(`${tag.w}:${tag.k}`);
    if (!ident) return;
    const { rec, sc } = this.o;
    if (++ident.executions > 1) {
      rec.c.duplicateExecutions++;
      if (!sc.tools[ident.tool].idempotent) rec.c.nonIdempotentDuplicates++;
    }
    const f = this.flights.get(flightId(tag.w, tag.k, tag.a));
    if (!f || f.a.callerDone) rec.c.zombieExecutions++;
  }

  /**
   * The relay held this attempt `wallMs` in its tunnel queue (its audit record, which has whole-ms
   * resolution): the live report's relay-queue time, in scenario ms like every figure.
   */
  relayQueued(tag: AttemptTag, wallMs: number): void {
    const f = this.flights.get(flightId(tag.w, tag.k, tag.a));
    if (f) f.a.relayQueueMs = wallMs / this.o.clock.timeScale;
  }

  /** The tokens counted in a finished call's result payload (read once). */
  measuredResultTokens(ident: CallIdentity): number | undefined {
    const k = `${ident.workflow}:${ident.key}`;
    const n = this.measured.get(k);
    this.measured.delete(k);
    this.idents.delete(k);
    return n;
  }

  private lost(a: SimAttempt, direction: number): boolean {
    const { faults, clock } = this.o;
    return faults.hasBursts && faults.lost('agentToRelay', clock.now(), a.ident.workflow, a.ident.key, a.index, direction);
  }

  private linkDelay(a: SimAttempt, purpose: number): number {
    const { sc, faults, clock } = this.o;
    const link = sc.network.agentToRelay;
    let d = link.latency.sample(attemptUniform(a.key, a.key0, a.index, purpose, link.attemptCorrelation));
    if (faults.hasSpikes) d = faults.linkDelay('agentToRelay', clock.now(), d);
    return d * a.faults.agentLinkFactor;
  }

  private atRelay(id: string, f: InFlight): void {
    f.timer = undefined;
    const { a } = f;
    const { rec, clock } = this.o;
    const t = a.faults.terminal;
    if (this.availability.isDown(clock.now())) {
      rec.c.unavailable++;
      return this.reply(id, f, 'unavailable');
    }
    if (t.kind === 'rateLimit') return this.reply(id, f, 'rateLimited', 0, t.retryAfter);
    if (t.kind === 'reset') {
      rec.c.resets++;
      return this.reply(id, f, 'reset');
    }
    this.call(f);
  }

  /** Sends the real request. */
  private call(f: InFlight): void {
    const { a } = f;
    const id = flightId(a.ident.workflow, a.ident.key, a.index);
    const tool = this.o.sc.tools[a.ident.tool];
    f.inTunnel = true;
    f.calledAt = this.o.clock.now();
    const tag: AttemptTag = { w: a.ident.workflow, k: a.ident.key, a: a.index, t: a.sentAt };
    if (a.ident.serviceMs !== undefined) tag.s = a.ident.serviceMs;
    if (a.ident.resultTokens !== undefined) tag.r = a.ident.resultTokens;
    const args = expandArgs(tool.args, { workflow: tag.w, key: tag.k, attempt: tag.a });
    const client = this.o.sessions[a.ident.workflow % this.o.sessions.length];
    // The trace context rides beside the attempt's tag; an external endpoint gets only the context.
    const meta = { ...(this.o.external ? {} : { [META_KEY]: tag }), ...(f.span ? this.spans!.meta(f.span) : {}) };
    if (this.cutAfter < Infinity) f.cut = this.o.clock.schedule(this.cutAfter, () => this.cutStream(id, f));
    const sent = this.trips.sent();
    client
      .callTool({ name: tool.name, arguments: args, ...(Object.keys(meta).length > 0 ? { _meta: meta } : {}) }, undefined, { signal: f.controller.signal, timeout: NO_SDK_TIMEOUT })
      .then(
        (r) => (this.trips.settled(sent), this.answered(id, f, r as CallToolResult)),
        (err: unknown) => (this.trips.settled(sent), this.failed(id, f, err)),
      );
  }

  private answered(id: string, f: InFlight, r: CallToolResult): void {
    if (f.replied || this.flights.get(id) !== f) return;
    const { a } = f;
    if (r.isError) return this.reply(id, f, 'error', -32603);
    const parts = (r._meta?.[META_KEY] ?? {}) as { serverQueueMs?: number; serviceMs?: number; linkMs?: number; tag?: AttemptTag };
    // The upstream echoes the attempt's tag: a result that answers another attempt was misrouted.
    if (parts.tag && (parts.tag.w !== a.ident.workflow || parts.tag.k !== a.ident.key || parts.tag.a !== a.index)) this.misrouted++;
    a.served = true;
    a.serverQueueMs = parts.serverQueueMs ?? 0;
    a.serviceMs = parts.serviceMs ?? 0;
    if (parts.linkMs !== undefined && f.calledAt !== undefined) f.unmodelled = this.o.clock.now() - f.calledAt - parts.linkMs - a.serverQueueMs - a.serviceMs;
    const tokens = this.tokens.count(r);
    f.span?.setAttribute('tunnelsim.result_tokens', tokens);
    this.measured.set(`${a.ident.workflow}:${a.ident.key}`, tokens);
    this.o.onCall?.({
      workflow: a.ident.workflow,
      step: Math.floor(a.ident.key / 64),
      position: a.ident.key % 64,
      tool: this.o.sc.tools[a.ident.tool].name,
      latencyMs: parts.serviceMs ?? this.o.clock.now() - a.sentAt,
      resultTokens: tokens,
    });
    this.reply(id, f, 'ok');
  }

  private failed(id: string, f: InFlight, err: unknown): void {
    if (f.replied || this.flights.get(id) !== f) return;
    const r = failedCall(err);
    if (r.counter) this.o.rec.c[r.counter]++;
    if (r.served) f.a.served = true;
    this.reply(id, f, r.outcome, r.code, r.retryAfter);
  }

  /**
   * A hop closes the request's stream, as a proxy does after its stream or idle limit: the caller
   * gets `reset`, and the aborted request tells the relay the client is gone (notifications/cancelled
   * goes upstream; the server stops only if it honours it).
   */
  private cutStream(id: string, f: InFlight): void {
    f.cut = undefined;
    if (f.replied || this.flights.get(id) !== f || f.a.callerDone) return;
    this.o.rec.c.streamCuts++;
    this.reply(id, f, 'reset');
    f.controller.abort();
  }

  /** Delivers an outcome after the relay→agent delay (unless the message is lost on the way). */
  private reply(id: string, f: InFlight, outcome: SimAttempt['outcome'], code = 0, retryAfter = 0): void {
    const { a } = f;
    if (f.cut) {
      this.o.clock.cancel(f.cut);
      f.cut = undefined;
    }
    a.outcome = outcome;
    a.errorCode = code;
    a.retryAfter = retryAfter;
    f.inTunnel = false;
    f.replied = true;
    if (!this.o.external && this.lost(a, 3)) {
      if (!f.span) this.flights.delete(id);
      return;
    }
    f.timer = this.o.clock.schedule(this.o.external ? 0 : this.linkDelay(a, Purpose.linkAgentBack), () => {
      f.timer = undefined;
      if (this.flights.get(id) !== f) return;
      this.flights.delete(id);
      this.endSpan(f, a.outcome);
      // By now the relay's audit has said how long the request queued there: that wait is modelled too.
      if (f.unmodelled !== undefined) this.o.observeOverhead?.(Math.max(0, f.unmodelled - a.relayQueueMs));
      if (a.callerDone) return;
      a.callerDone = true;
      a.owner.attemptDone(a);
    });
  }

  /** The tunnel drops at the start of each down window: attempts inside it fail with `unavailable`. */
  private armDrop(after: number): void {
    const next = this.availability.nextDrop(after);
    if (next === Infinity) return;
    const { clock, rec } = this.o;
    this.dropTimer = clock.schedule(next - clock.now(), () => {
      for (const [id, f] of this.flights) {
        if (!f.inTunnel) continue;
        rec.c.unavailable++;
        this.reply(id, f, 'unavailable');
        f.controller.abort();
      }
      this.armDrop(next);
    });
  }
}

function flightId(w: number, k: number, a: number): string {
  return `${w}:${k}:${a}`;
}
