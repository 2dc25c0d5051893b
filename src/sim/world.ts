/**
 * The simulated system one world runs: agent↔relay link, the relay (admission per tunnel, outages,
 * rate limiting), relay↔server link (the connector's tunnel), and the MCP server's worker pool.
 *
 * How an attempt moves: the caller `send`s it; it crosses the agent link (one-way delay drawn per
 * message), the relay admits, queues or rejects it, adds processing time and forwards it over the
 * server link; the server queues it for a worker (FIFO, `concurrency` workers), serves it, and the
 * response comes back the same way. Each hop is one kernel event on this object, with the attempt
 * as payload. A caller that times out `cancel`s: the cancellation frees the relay slot when it
 * arrives, and stops the server's work only when the policy says the server honours cancellation.
 * Work a caller abandoned still happens and is counted (zombie and duplicate executions).
 */
import { Admission, QUEUE_FULL_RETRY_AFTER_MS } from '../relay/admission.js';
import type { SheddingSpec } from '../relay/shedding.js';
import type { Kernel } from '../kernel/kernel.js';
import type { EventTarget } from '../kernel/queue.js';
import { keyedFinish, keyPrefix, Purpose } from '../kernel/rng.js';
import { attemptUniform } from '../model/correlation.js';
import type { FaultModel, Link } from '../model/faults.js';
import type { Recorder } from '../metrics/recorder.js';
import type { Scenario } from '../scenario/types.js';
import { SimAttempt, ServerState } from './attempt.js';
import { Availability } from './availability.js';
import { Level } from './level.js';
import { StreamCuts, type StreamCutter } from './stream-cuts.js';
import { TunnelSet } from './tunnel-set.js';

const K_ARRIVE_RELAY = 1;
const K_ARRIVE_SERVER = 2;
const K_SERVICE_DONE = 3;
const K_RESP_RELAY = 4;
const K_DELIVER = 5;
const K_CANCEL_RELAY = 6;
const K_CANCEL_SERVER = 7;
const K_DROP = 8;


export class World implements EventTarget, StreamCutter {
  private readonly admission: Admission<SimAttempt>;
  /** Attempts inside the tunnel (admitted or queued), in insertion order for deterministic failing. */
  private readonly inTunnel = new TunnelSet();
  private readonly serverQueue: SimAttempt[] = [];
  private serverHead = 0;
  /** Busy workers and held relay slots, with their time integrals for utilisation. */
  private readonly busy = new Level();
  private readonly held = new Level();
  readonly availability: Availability;
  private readonly seed: number;
  private readonly cuts: StreamCuts;
  /** Some hop cuts long streams (network.<link>.maxStreamDuration / idleTimeout). */
  private readonly cutting: boolean;

  constructor(
    private readonly kernel: Kernel,
    private readonly sc: Scenario,
    private readonly faults: FaultModel,
    private readonly rec: Recorder,
    seed: number,
    private readonly cancelHonoured: boolean,
    /** The relay sheds requests that queued too long (the policy's `relayShedding`, else the scenario's). */
    shedding?: SheddingSpec,
  ) {
    this.seed = seed;
    this.admission = new Admission({ maxInFlight: sc.relay.maxInFlightPerTunnel, queue: sc.relay.queue, shedding });
    this.availability = new Availability(faults, seed, sc.relay.reconnectBase, sc.relay.reconnectMax);
    this.cuts = new StreamCuts(kernel, sc.network, this);
    this.cutting = this.cuts.active;
    const first = this.availability.nextDrop(-1);
    if (first < Infinity) kernel.at(first, this, K_DROP);
  }

  private setBusy(delta: number): void {
    this.busy.set(this.busy.value + delta, this.kernel.now());
  }

  private setHeld(n: number): void {
    this.held.set(n, this.kernel.now());
  }

  /** Adds the utilisation integrals up to now into the recorder (call once, when the run ends). */
  flushUtilisation(): void {
    this.setBusy(0);
    this.setHeld(this.held.value);
    this.rec.c.serverBusyMicros += Math.round(this.busy.area * 1000);
    this.rec.c.relayHeldMicros += Math.round(this.held.area * 1000);
  }

  /** The relay's processing time for the attempt's hop in `purpose`'s direction. */
  private processing(a: SimAttempt, purpose: number): number {
    const p = this.sc.relay.processing;
    return p.fixed ?? p.sample(keyedFinish(a.key, purpose));
  }

  private link(link: Link, a: SimAttempt, purpose: number): number {
    const s = link === 'agentToRelay' ? this.sc.network.agentToRelay : this.sc.network.relayToServer;
    let d = s.latency.fixed ?? s.latency.sample(attemptUniform(a.key, a.key0, a.index, purpose, s.attemptCorrelation));
    if (this.faults.hasSpikes) d = this.faults.linkDelay(link, this.kernel.now(), d);
    return d * (link === 'agentToRelay' ? a.faults.agentLinkFactor : a.faults.serverLinkFactor);
  }

  private lost(link: Link, a: SimAttempt, direction: number): boolean {
    return this.faults.hasBursts && this.faults.lost(link, this.kernel.now(), a.ident.workflow, a.ident.key, a.index, direction);
  }

  /** The caller sends an attempt into the agent link. */
  send(a: SimAttempt): void {
    a.key = keyPrefix(this.seed, a.ident.workflow, a.ident.key, a.index);
    a.key0 = a.index === 0 ? a.key : keyPrefix(this.seed, a.ident.workflow, a.ident.key, 0);
    const t = a.faults.terminal;
    if (t.kind === 'drop' && t.link === 'agentToRelay') return;
    if (this.lost('agentToRelay', a, 0)) return;
    this.kernel.after(this.link('agentToRelay', a, Purpose.linkAgentOut), this, K_ARRIVE_RELAY, a);
  }

  /** The caller gave up on an attempt (timeout): it sends notifications/cancelled. */
  cancel(a: SimAttempt): void {
    this.kernel.after(this.link('agentToRelay', a, Purpose.think), this, K_CANCEL_RELAY, a);
  }

  fire(kind: number, ref: unknown): void {
    const a = ref as SimAttempt;
    switch (kind) {
      case K_ARRIVE_RELAY:
        return this.arriveRelay(a);
      case K_ARRIVE_SERVER:
        return this.arriveServer(a);
      case K_SERVICE_DONE:
        return this.serviceDone(a);
      case K_RESP_RELAY:
        return this.responseAtRelay(a);
      case K_DELIVER:
        return this.deliver(a);
      case K_CANCEL_RELAY:
        return this.cancelAtRelay(a);
      case K_CANCEL_SERVER:
        return this.cancelAtServer(a);
      case K_DROP:
        return this.connectorDropped();
    }
  }

  /** The relay answers the agent itself (an error it generates): processing, then the agent link. */
  private reply(a: SimAttempt, outcome: SimAttempt['outcome'], retryAfter = 0): void {
    if (this.cutting) this.cuts.closeAgentHop(a);
    a.outcome = outcome;
    a.retryAfter = retryAfter;
    if (this.lost('agentToRelay', a, 3)) return;
    const d = this.processing(a, Purpose.relayProcessBack) + this.link('agentToRelay', a, Purpose.linkAgentBack);
    this.kernel.after(d, this, K_DELIVER, a);
  }

  private arriveRelay(a: SimAttempt): void {
    const t = a.faults.terminal;
    if (this.availability.isDown(this.kernel.now())) {
      this.rec.c.unavailable++;
      return this.reply(a, 'unavailable');
    }
    if (t.kind === 'rateLimit') return this.reply(a, 'rateLimited', t.retryAfter);
    if (t.kind === 'reset') {
      this.rec.c.resets++;
      return this.reply(a, 'reset');
    }
    if (a.callerDone && !a.relayQueued) return; // cancelled before it arrived: the relay drops it.
    if (this.cutting) this.cuts.openAgentHop(a);
    const admit = this.admission.offer(a, this.kernel.now());
    if (admit.kind === 'forward') return this.forward(a);
    if (admit.kind === 'queued') {
      a.relayQueued = true;
      a.queuedAt = this.kernel.now();
      this.inTunnel.add(a);
      return;
    }
    this.rec.c.rejectedByRelay++;
    this.reply(a, 'rejected', QUEUE_FULL_RETRY_AFTER_MS);
  }

  private forward(a: SimAttempt): void {
    const now = this.kernel.now();
    if (a.relayQueued) {
      a.relayQueued = false;
      a.relayQueueMs = now - a.queuedAt;
    }
    a.relayHeld = true;
    this.setHeld(this.held.value + 1);
    this.inTunnel.add(a);
    if (this.cutting) this.cuts.openServerHop(a);
    const t = a.faults.terminal;
    if (t.kind === 'drop' && t.link === 'relayToServer') return;
    if (this.lost('relayToServer', a, 1)) return;
    const d = this.processing(a, Purpose.relayProcessOut) + this.link('relayToServer', a, Purpose.linkRelayOut);
    this.kernel.after(d, this, K_ARRIVE_SERVER, a);
  }

  private releaseSlot(a: SimAttempt): void {
    if (this.cutting) this.cuts.closeServerHop(a);
    if (a.relayQueued) {
      this.admission.withdraw(a);
      a.relayQueued = false;
      this.inTunnel.delete(a);
      return;
    }
    if (!a.relayHeld) return;
    a.relayHeld = false;
    this.setHeld(this.held.value - 1);
    this.inTunnel.delete(a);
    const next = this.admission.release(this.kernel.now());
    if (this.admission.shed.length > 0) this.answerShed();
    if (next) this.forward(next);
  }

  /** Requests the relay shed for waiting too long: an overload answer, as for a full queue. */
  private answerShed(): void {
    for (const s of this.admission.shed) {
      s.relayQueued = false;
      this.inTunnel.delete(s);
      this.rec.c.shedByRelay++;
      this.reply(s, 'rejected', QUEUE_FULL_RETRY_AFTER_MS);
    }
    this.admission.shed.length = 0;
  }

  private arriveServer(a: SimAttempt): void {
    if (a.severed || a.cancelled) return;
    a.serverArrivedAt = this.kernel.now();
    if (a.faults.terminal.kind === 'hang') {
      a.serverState = ServerState.Hung;
      return;
    }
    if (this.busy.value < this.sc.server.concurrency) return this.startService(a);
    a.serverState = ServerState.Queued;
    this.serverQueue.push(a);
  }

  private startService(a: SimAttempt): void {
    this.setBusy(1);
    a.serverState = ServerState.Serving;
    a.serverQueueMs = this.kernel.now() - a.serverArrivedAt;
    const tool = this.sc.tools[a.ident.tool];
    a.serviceMs = (a.ident.serviceMs ?? tool.service.sample(attemptUniform(a.key, a.key0, a.index, Purpose.service, tool.attemptCorrelation))) * a.faults.serviceFactor;
    this.kernel.after(a.serviceMs, this, K_SERVICE_DONE, a);
  }

  private nextFromQueue(): void {
    const q = this.serverQueue;
    while (this.serverHead < q.length && this.busy.value < this.sc.server.concurrency) {
      const next = q[this.serverHead];
      q[this.serverHead++] = undefined as unknown as SimAttempt;
      if (next.serverState === ServerState.Queued && !next.severed) this.startService(next);
    }
    if (this.serverHead > 4096 && this.serverHead * 2 > q.length) {
      q.splice(0, this.serverHead);
      this.serverHead = 0;
    }
  }

  private serviceDone(a: SimAttempt): void {
    if (a.serverState !== ServerState.Serving) return; // aborted by a cancellation
    a.serverState = ServerState.Done;
    this.setBusy(-1);
    this.nextFromQueue();
    const t = a.faults.terminal;
    if (t.kind === 'error') {
      a.outcome = 'error';
      a.errorCode = t.code;
    } else {
      a.outcome = 'ok';
      const ident = a.ident;
      if (++ident.executions > 1) {
        this.rec.c.duplicateExecutions++;
        if (!this.sc.tools[ident.tool].idempotent) this.rec.c.nonIdempotentDuplicates++;
      }
      if (a.callerDone) this.rec.c.zombieExecutions++;
    }
    a.served = true;
    if (a.severed || this.lost('relayToServer', a, 2)) return;
    this.kernel.after(this.link('relayToServer', a, Purpose.linkServerBack), this, K_RESP_RELAY, a);
  }

  private responseAtRelay(a: SimAttempt): void {
    if (a.severed || !a.relayHeld) return; // the relay already forgot it (cancelled or dropped)
    this.releaseSlot(a);
    if (this.cutting) this.cuts.closeAgentHop(a);
    if (this.lost('agentToRelay', a, 3)) return;
    const d = this.processing(a, Purpose.relayProcessBack) + this.link('agentToRelay', a, Purpose.linkAgentBack);
    this.kernel.after(d, this, K_DELIVER, a);
  }

  private deliver(a: SimAttempt): void {
    if (a.callerDone) return;
    a.callerDone = true;
    a.owner.attemptDone(a);
  }

  private cancelAtRelay(a: SimAttempt): void {
    if (a.severed) return;
    if (this.cutting) this.cuts.closeAgentHop(a);
    this.abandonAtRelay(a);
  }

  /** The relay lets go of a request (its caller cancelled, or a hop cut its stream) and passes the cancellation on. */
  private abandonAtRelay(a: SimAttempt): void {
    this.releaseSlot(a);
    if (!this.cancelHonoured || a.serverState === ServerState.Done) return;
    this.kernel.after(this.link('relayToServer', a, Purpose.think), this, K_CANCEL_SERVER, a);
  }

  /**
   * A hop cut the attempt's stream (sim/stream-cuts.ts): the relay lets go of it and the caller gets
   * `reset`; the server finishes the work unless it honours cancellation. A caller already gone
   * has sent its own cancellation, which cleans up.
   */
  cut(a: SimAttempt, link: Link): void {
    if (a.callerDone || a.severed) return;
    if (link === 'relayToServer' && !a.relayHeld) return;
    this.rec.c.streamCuts++;
    this.abandonAtRelay(a);
    this.reply(a, 'reset');
  }

  private cancelAtServer(a: SimAttempt): void {
    a.cancelled = true;
    if (a.serverState === ServerState.Queued) a.serverState = ServerState.Aborted;
    else if (a.serverState === ServerState.Serving) {
      a.serverState = ServerState.Aborted;
      this.setBusy(-1);
      this.nextFromQueue();
    }
  }

  /** The connector dropped (outage or token expiry): every request inside the tunnel fails now. */
  private connectorDropped(): void {
    const now = this.kernel.now();
    const victims = this.inTunnel.takeAll();
    this.admission.drain();
    this.setHeld(0);
    for (const a of victims) {
      if (this.cutting) this.cuts.closeServerHop(a);
      a.severed = true;
      a.relayHeld = false;
      a.relayQueued = false;
      this.rec.c.unavailable++;
      this.reply(a, 'unavailable');
    }
    const next = this.availability.nextDrop(now);
    if (next < Infinity) this.kernel.at(next, this, K_DROP);
  }
}
