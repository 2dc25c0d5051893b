/**
 * The capacity report (`schema: "tunnelsim.capacity/v2"`) that `tunnelsim capacity` writes and its
 * views render. Workflow percentiles are over every started workflow, a failed one at +∞ (null when
 * too many failed: docs/reports.md), `workflowCompletedP95` the survivors'.
 */
import type { Unit } from './resolve.js';

export const CAPACITY_SCHEMA = 'tunnelsim.capacity/v2';

export interface CapacityPoint {
  value: number;
  ok: boolean;
  workflowP50: number | null;
  workflowP95: number | null;
  workflowP99: number | null;
  workflowCompletedP95: number | null;
  successRate: number | null;
  /** Completed workflows per second of simulated time. */
  throughput: number;
  serverUtilisation: number;
  relayUtilisation: number;
  serverQueueMeanMs: number;
  relayQueueMeanMs: number;
  amplification: number | null;
  costPerCompletedWorkflow: number | null;
  /** SLO measurements at this point, in the unit of each expression's figure. */
  slo: { expression: string; value: number | null; ok: boolean; unit: Unit }[];
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
