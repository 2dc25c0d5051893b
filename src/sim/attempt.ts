/**
 * One attempt in flight through the simulated system, with the timings its parts accumulate.
 * Plain fields, no methods: the world moves it along and the caller reads its outcome.
 */
import type { AttemptFaults } from '../model/faults.js';
import type { FailureKind } from '../policy/types.js';

/** The identity of a logical call, shared by every attempt made for it (transport and agent layer). */
export interface CallIdentity {
  workflow: number;
  /** step · 64 + position in the step's parallel group */
  key: number;
  tool: number;
  /** Next attempt number; attempts of agent-layer retries continue the count. */
  nextAttempt: number;
  /** Successful server executions so far. */
  executions: number;
  /** A replayed call's server time (ms); undefined draws from the tool's distribution. */
  serviceMs?: number;
  /** A replayed call's result size (tokens), for live upstreams; undefined draws. */
  resultTokens?: number;
}

/** Who receives the attempt's outcome. */
export interface AttemptOwner {
  attemptDone(a: SimAttempt): void;
}

export const ServerState = { None: 0, Queued: 1, Serving: 2, Done: 3, Aborted: 4, Hung: 5 } as const;

export class SimAttempt {
  /** Set when the caller stops waiting: an outcome was delivered, or it timed out. */
  callerDone = false;
  /** The connector dropped while this attempt was inside the tunnel: no response will come back. */
  severed = false;
  relayHeld = false;
  relayQueued = false;
  queuedAt = 0;
  serverState: number = ServerState.None;
  serverArrivedAt = 0;
  cancelled = false;
  outcome: 'ok' | FailureKind = 'ok';
  errorCode = 0;
  retryAfter = 0;
  relayQueueMs = 0;
  serverQueueMs = 0;
  serviceMs = 0;
  /** Reached the server and got its answer (parts are meaningful). */
  served = false;
  /** Hash state of (seed, workflow, call, attempt) for this attempt's keyed draws. */
  key = 0;
  /** The same for the call's attempt 0: later attempts' draws may correlate with it (model/correlation.ts). */
  key0 = 0;
  /** The caller's timeout timer handle (-1: none armed in a timer queue). */
  timer = -1;
  /** Stream-cut timer handles of the agent↔relay and relay↔server hops (sim/stream-cuts.ts; -1: none). */
  agentCut = -1;
  serverCut = -1;
  /** Sent as a hedge (an extra parallel attempt), not as the first attempt or a retry. */
  hedge = false;
  /** Sent as a transport retry. */
  retry = false;
  /** Holds a slot of the caller's adaptive concurrency limit: the in-flight count it was granted at (0: none). */
  permit = 0;
  /** Its slot in the world's TunnelSet while inside the tunnel (-1: outside). */
  tunnelSlot = -1;

  constructor(
    readonly owner: AttemptOwner,
    readonly ident: CallIdentity,
    readonly index: number,
    readonly sentAt: number,
    readonly faults: AttemptFaults,
  ) {}
}
