/**
 * The uncertainty and verdict part of the report contract: intervals (report/stats.ts), paired
 * differences and the verdict (report/verdict.ts). types.ts re-exports them.
 */

/** A 95 % confidence interval from replications: Student's t on the per-replication values (report/stats.ts). */
export interface Interval {
  /** Replications it rests on. */
  n: number;
  mean: number;
  halfWidth: number;
  lo: number;
  hi: number;
}

/** A paired difference of one figure between two policies over common random numbers. */
export interface PairedDifference {
  /** other − policy, per replication, in the figure's unit. */
  n: number;
  mean: number;
  halfWidth: number;
  lo: number;
  hi: number;
  /** The interval excludes 0. */
  significant: boolean;
}

/** One policy's place in the verdict, and why, in figures. */
export interface VerdictEntry {
  policy: string;
  /** The objective's pooled value (null: no data) and its interval over replications. */
  value: number | null;
  interval: Interval | null;
  /** Meets every threshold of the scenario and the completion floor. */
  eligible: boolean;
  /** Why not eligible: each failed constraint, in words with its figure. */
  reasons: string[];
  why: VerdictWhy;
}

/** The figures behind a policy's result: what failed, and the cost chain. */
export interface VerdictWhy {
  started: number;
  completed: number;
  successRate: number | null;
  /** Failed workflows by reason, most first. */
  failedByReason: [string, number][];
  /** timeouts → retries by layer → tokens re-billed in agent-layer retry turns → their dollars; spend on failed workflows. */
  timeouts: number;
  agentRetries: number;
  transportRetries: number;
  rejected: number;
  retryTurnTokens: number;
  retryTurnCost: number;
  failedWorkflowCost: number;
  totalCost: number;
}

/**
 * The verdict (report/verdict.ts): for the objective, subject to the thresholds and the completion
 * floor, the eligible policies ranked, the winner and its margin over the runner-up as a paired
 * interval. A winner is named only when that interval excludes 0 (or it alone is eligible).
 */
export interface Verdict {
  objective: string;
  label: string;
  maximize: boolean;
  completionFloor: number;
  replications: number;
  /** Eligible policies best first, then the others by objective. */
  ranking: VerdictEntry[];
  winner: string | null;
  runnerUp: string | null;
  /** runnerUp − winner on the objective (positive: the winner is better when minimising). */
  margin: PairedDifference | null;
  /** One sentence: the answer. */
  summary: string;
}
