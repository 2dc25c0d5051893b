/**
 * Fault models, compiled from the scenario's `faults:` list into pure decisions.
 *
 * Per attempt (`decideAttempt`): every probabilistic fault whose selectors match (tool, time window
 * at the attempt's start) draws its own keyed uniform; the first terminal fault that fires, in list
 * order, decides the attempt's fate (hang, error, drop, reset, rate-limit, fail-first), and every
 * `slow` that fires multiplies service time (or a link's latency). Because the draws are keyed by
 * (workflow, call, attempt, fault), every policy meets the same faults on the same attempts.
 *
 * Per message on a link (`linkFactor`, `linkLoss`): latency spikes and Gilbert–Elliott burst loss
 * are fixed timelines in virtual time, identical for all policies.
 *
 * Availability (`downIntervals`): outages and token expiries are windows during which the tunnel
 * is unreachable; the world fails in-flight calls at each window's start.
 */
import { keyedUniform, Purpose, streamRng, type Rng } from '../kernel/rng.js';
import type { FaultEntry } from '../scenario/fault-schema.js';

export type Link = 'agentToRelay' | 'relayToServer';

export type Terminal =
  | { kind: 'none' }
  | { kind: 'hang' }
  | { kind: 'error'; code: number }
  | { kind: 'drop'; link: Link }
  | { kind: 'reset' }
  | { kind: 'rateLimit'; retryAfter: number };

export const NO_FAULT: Terminal = { kind: 'none' };

export interface AttemptFaults {
  terminal: Terminal;
  serviceFactor: number;
  agentLinkFactor: number;
  serverLinkFactor: number;
}

const CLEAN: AttemptFaults = { terminal: NO_FAULT, serviceFactor: 1, agentLinkFactor: 1, serverLinkFactor: 1 };

interface Compiled {
  entry: FaultEntry;
  index: number;
  tool: number;
  probability: number;
  from: number;
  to: number;
  terminal?: Terminal;
}

/** A Gilbert–Elliott two-state timeline with exponential sojourns, generated lazily in time order. */
class BurstTimeline {
  private readonly rng: Rng;
  private bad = false;
  private until: number;
  constructor(
    seed: number,
    index: number,
    private readonly meanGood: number,
    private readonly meanBad: number,
  ) {
    this.rng = streamRng(seed, `burst-loss:${index}`);
    this.until = this.draw(meanGood);
  }
  private draw(mean: number): number {
    return -mean * Math.log(1 - this.rng.next());
  }
  /** State at time t; queries must not go back in time by more than one sojourn (they do not: time only advances). */
  isBad(t: number): boolean {
    while (t >= this.until) {
      this.bad = !this.bad;
      this.until += this.draw(this.bad ? this.meanBad : this.meanGood);
    }
    return this.bad;
  }
}

export class FaultModel {
  private readonly perAttempt: Compiled[] = [];
  private readonly spikes: { link: Link; factor: number; add: number; from: number; to: number }[] = [];
  private readonly bursts: { link: Link; timeline: BurstTimeline; lossGood: number; lossBad: number; index: number; from: number; to: number }[] = [];
  readonly expiries: { every?: number; at?: number; reauth: number }[] = [];
  readonly outages: { from: number; to: number; target: string }[] = [];
  /** True when no per-attempt fault exists: the hot path skips the loop. */
  readonly clean: boolean;

  constructor(
    private readonly seed: number,
    faults: readonly FaultEntry[],
    toolIndex: Record<string, number>,
  ) {
    faults.forEach((f, index) => {
      const from = f.from ?? 0;
      const to = f.to ?? Infinity;
      switch (f.kind) {
        case 'latency-spike':
          this.spikes.push({ link: f.link ?? 'agentToRelay', factor: f.multiplier ?? 1, add: f.add ?? 0, from, to });
          return;
        case 'burst-loss':
          this.bursts.push({
            link: f.link ?? 'agentToRelay',
            timeline: new BurstTimeline(seed, index, f.meanGood, f.meanBad),
            lossGood: f.lossGood ?? 0,
            lossBad: f.lossBad ?? 1,
            index,
            from,
            to,
          });
          return;
        case 'outage':
          this.outages.push({ from, to, target: f.target ?? 'relay' });
          return;
        case 'token-expiry':
          this.expiries.push({ every: f.every, at: f.at, reauth: f.reauth ?? 500 });
          return;
        default: {
          const c: Compiled = { entry: f, index, tool: f.tool === undefined ? -1 : toolIndex[f.tool], probability: f.probability ?? 1, from, to };
          if (f.kind === 'hang') c.terminal = { kind: 'hang' };
          else if (f.kind === 'error' || f.kind === 'fail-first') c.terminal = { kind: 'error', code: f.kind === 'error' ? (f.code ?? -32603) : -32603 };
          else if (f.kind === 'drop') c.terminal = { kind: 'drop', link: f.link ?? 'agentToRelay' };
          else if (f.kind === 'reset') c.terminal = { kind: 'reset' };
          else if (f.kind === 'rate-limit') c.terminal = { kind: 'rateLimit', retryAfter: f.retryAfter ?? 1000 };
          this.perAttempt.push(c);
        }
      }
    });
    this.clean = this.perAttempt.length === 0;
  }

  /** The faults that strike attempt `attempt` of call (workflow, call), sent at time `t`. */
  decideAttempt(workflow: number, call: number, attempt: number, tool: number, t: number): AttemptFaults {
    if (this.clean) return CLEAN;
    let terminal: Terminal = NO_FAULT;
    let serviceFactor = 1;
    let agentLinkFactor = 1;
    let serverLinkFactor = 1;
    for (const c of this.perAttempt) {
      if (c.tool >= 0 && c.tool !== tool) continue;
      if (t < c.from || t >= c.to) continue;
      const f = c.entry;
      if (f.kind === 'fail-first') {
        if (terminal.kind !== 'none' || attempt >= f.count) continue;
        // One draw per logical call: the call is either a fail-first call or not.
        if (keyedUniform(this.seed, workflow, call, 0, Purpose.faultBase + c.index) < c.probability) terminal = c.terminal!;
        continue;
      }
      const fires = c.probability >= 1 || keyedUniform(this.seed, workflow, call, attempt, Purpose.faultBase + c.index) < c.probability;
      if (!fires) continue;
      if (f.kind === 'slow') {
        if (f.link === 'agentToRelay') agentLinkFactor *= f.multiplier;
        else if (f.link === 'relayToServer') serverLinkFactor *= f.multiplier;
        else serviceFactor *= f.multiplier;
      } else if (terminal.kind === 'none') {
        terminal = c.terminal!;
      }
    }
    if (terminal === NO_FAULT && serviceFactor === 1 && agentLinkFactor === 1 && serverLinkFactor === 1) return CLEAN;
    return { terminal, serviceFactor, agentLinkFactor, serverLinkFactor };
  }

  /** Transforms a drawn link delay by the spikes active at time t. */
  linkDelay(link: Link, t: number, delay: number): number {
    for (const s of this.spikes) {
      if (s.link === link && t >= s.from && t < s.to) delay = delay * s.factor + s.add;
    }
    return delay;
  }

  get hasSpikes(): boolean {
    return this.spikes.length > 0;
  }

  get hasBursts(): boolean {
    return this.bursts.length > 0;
  }

  /** Whether a message sent on `link` at time t is lost to burst loss; `key` draws the Bernoulli. */
  lost(link: Link, t: number, workflow: number, call: number, attempt: number, direction: number): boolean {
    for (const b of this.bursts) {
      if (b.link !== link || t < b.from || t >= b.to) continue;
      const p = b.timeline.isBad(t) ? b.lossBad : b.lossGood;
      if (p > 0 && keyedUniform(this.seed, workflow, call, attempt * 4 + direction, Purpose.faultBase + b.index) < p) return true;
    }
    return false;
  }
}
