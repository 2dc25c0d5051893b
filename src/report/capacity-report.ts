/** The capacity report (`schema: "tunnelsim.capacity/v1"`) that `tunnelsim capacity` writes and its views render. */
export const CAPACITY_SCHEMA = 'tunnelsim.capacity/v1';

export interface CapacityPoint {
  value: number;
  ok: boolean;
  workflowP50: number;
  workflowP95: number;
  workflowP99: number;
  successRate: number;
  /** Completed workflows per second of simulated time. */
  throughput: number;
  serverUtilisation: number;
  relayUtilisation: number;
  serverQueueMeanMs: number;
  relayQueueMeanMs: number;
  amplification: number;
  costPerCompletedWorkflow: number;
  /** SLO measurements at this point. */
  slo: { expression: string; value: number | null; ok: boolean }[];
}

export interface CapacityReport {
  schema: typeof CAPACITY_SCHEMA;
  tool: { name: 'tunnelsim'; version: string };
  scenario: { name: string; file: string };
  policy: string;
  vary: string;
  find: 'largest' | 'smallest';
  slo: string[];
  /** The answer; null when no value in the searched range meets the SLO. */
  capacity: number | null;
  /** [meets, fails] at the end of the search (ordered by the search direction). */
  bracket: [number | null, number | null];
  knee: { value: number; workflowP95: number } | null;
  /** Every point evaluated by the search, in evaluation order. */
  search: CapacityPoint[];
  /** The load curve around the answer, by value. */
  curve: CapacityPoint[];
}
