/**
 * The types of a report's incident figures: the fault windows recovery is judged against, the
 * per-window call timeline and the recovery figures (computed in recovery.ts). They import nothing,
 * so report/types.ts can hold them without importing the code that computes them.
 */
/** A time-windowed fault of the scenario: the trigger recovery is judged against. */
export interface IncidentWindow {
  /** Index in the scenario's `faults` list. */
  fault: number;
  kind: string;
  fromMs: number;
  toMs: number;
}

/** A policy's timeline, added over its worlds (dollars rounded to nano-dollars). */
export interface CallTimeline {
  windowMs: number;
  /** The worlds added (replications × shards): recovery figures are per world. */
  worlds: number;
  okCalls: number[];
  started: number[];
  completed: number[];
  failed: number[];
  wastedDollars: number[];
  wastedTokens: number[];
}

export interface RecoveryFigures {
  fault: number;
  kind: string;
  fromMs: number;
  toMs: number;
  /** Successful calls per second, per world. */
  successfulCalls: { before: number; during: number; after: number };
  /** Completed workflows per second (the report's goodput), per world, same spans. */
  completions: { before: number; during: number; after: number };
  /** ms after the window's end at which successful calls were back to stay (null: not inside the horizon). */
  recoveredAfterMs: number | null;
  /** Where the search stopped (ms): the next fault window or the end of the arrivals. */
  horizonMs: number;
  incident: {
    fromMs: number;
    toMs: number;
    /** Successful calls short of the pre-trigger rate over the incident, per world. */
    lostCalls: number;
    workflowsFailed: number;
    wasted: { tokens: number; dollars: number };
    /** What the pre-trigger rate of waste would have spent over the same time. */
    wastedAtBaselineRate: { tokens: number; dollars: number };
  };
}
