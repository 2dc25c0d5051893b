/** One world's raw results as a report carries them: counters, series and encoded histograms that merge exactly. */
import type { TimelineRecord } from '../metrics/timeline.js';

/** Raw, mergeable results of one world (policy × replication). */
export interface WorldRecord {
  id: string;
  policy: string;
  replication: number;
  counters: Record<string, number>;
  /** Per-tool counters. */
  tools: Record<string, Record<string, number>>;
  /** Per-step token totals by billing category and cost in nano-dollars (integers, so merges are exact). */
  perStep: { input: number[]; output: number[]; cacheRead: number[]; cacheWrite: number[]; cost?: number[] };
  storm: { attempts: number[]; offered: number[]; completed: number[]; failed: number[] };
  breakerTransitions: [number, number][];
  histograms: Record<string, string>;
  /** Successful calls, workflow ends and wasted spend per window (absent in reports written before it). */
  timeline?: TimelineRecord;
}
