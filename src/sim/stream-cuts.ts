/**
 * Tunnel cutoffs: real hops close long streams. Cloudflare resets an MCP response stream that
 * carried nothing for 125 s (robhunter/agentdeals #1098) and answers 524 when an origin sends
 * nothing for 120 s; a tool call sends nothing while it runs (the simulated servers send no
 * progress), so a call longer than the cut fails with `reset` and gets retried, while the server
 * may still finish it (docs/scenario.md, "Tunnel cutoffs").
 *
 * How it works: per hop, one fixed-delay timer ring (kernel/timers.ts) of min(maxStreamDuration,
 * idleTimeout). The agent↔relay stream opens when the request reaches the relay and ends when the
 * relay sends the answer back; the relay↔server stream (the connector's tunnel) opens when the relay
 * forwards and ends when the answer reaches the relay. A stream that ends disarms its timer; one
 * that outlives it is cut by the world (`World.cut`).
 */
import type { Kernel } from '../kernel/kernel.js';
import type { EventTarget } from '../kernel/queue.js';
import { FixedDelayTimers } from '../kernel/timers.js';
import type { Link } from '../model/faults.js';
import type { LinkSpec } from '../scenario/types.js';
import type { SimAttempt } from './attempt.js';

const K_AGENT_HOP = 1;
const K_SERVER_HOP = 2;

/** The stream a hop cuts: the shorter of its two limits (Infinity: it cuts none). */
export function cutAfter(link: LinkSpec): number {
  return Math.min(link.maxStreamMs, link.idleTimeoutMs);
}

export interface StreamCutter {
  cut(a: SimAttempt, link: Link): void;
}

export class StreamCuts implements EventTarget {
  private readonly agent: FixedDelayTimers | undefined;
  private readonly server: FixedDelayTimers | undefined;

  constructor(
    kernel: Kernel,
    network: { agentToRelay: LinkSpec; relayToServer: LinkSpec },
    private readonly world: StreamCutter,
  ) {
    const a = cutAfter(network.agentToRelay);
    const s = cutAfter(network.relayToServer);
    this.agent = Number.isFinite(a) ? new FixedDelayTimers(kernel, a) : undefined;
    this.server = Number.isFinite(s) ? new FixedDelayTimers(kernel, s) : undefined;
  }

  /** Whether any hop cuts streams (the world skips all of this otherwise). */
  get active(): boolean {
    return this.agent !== undefined || this.server !== undefined;
  }

  /** The request reached the relay: its agent-side stream is open. */
  openAgentHop(a: SimAttempt): void {
    if (a.agentCut < 0) a.agentCut = this.arm(this.agent, K_AGENT_HOP, a);
  }

  /** The relay answered (or forgot) it: the agent-side stream is closed. */
  closeAgentHop(a: SimAttempt): void {
    a.agentCut = disarm(this.agent, a.agentCut);
  }

  /** The relay forwarded it into the tunnel. */
  openServerHop(a: SimAttempt): void {
    if (a.serverCut < 0) a.serverCut = this.arm(this.server, K_SERVER_HOP, a);
  }

  closeServerHop(a: SimAttempt): void {
    a.serverCut = disarm(this.server, a.serverCut);
  }

  private arm(timers: FixedDelayTimers | undefined, kind: number, a: SimAttempt): number {
    return timers ? timers.add(this, kind, a) : -1;
  }

  fire(kind: number, ref: unknown): void {
    const a = ref as SimAttempt;
    if (kind === K_AGENT_HOP) {
      a.agentCut = -1;
      this.world.cut(a, 'agentToRelay');
    } else {
      a.serverCut = -1;
      this.world.cut(a, 'relayToServer');
    }
  }
}

/** Cancels a hop's timer; returns the handle an attempt keeps when none is armed. */
function disarm(timers: FixedDelayTimers | undefined, handle: number): number {
  if (handle >= 0) timers!.cancel(handle);
  return -1;
}
