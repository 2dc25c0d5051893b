/**
 * What a report knows of its scenario: the policies with their resolved timeouts, prices, fault
 * windows, thresholds and the verdict's objective, so merging and rendering need not read the
 * scenario file again.
 */
import type { IncidentWindow } from './incident-types.js';

/** What merging and rendering need to know of the scenario. */
export interface ScenarioInfo {
  name: string;
  /** The scenario file as given on the command line (never made absolute). */
  file: string;
  /** Every policy of the scenario, in its order, with its resolved description and timeouts, and whether it has a breaker. */
  policies: { name: string; description: string; timeouts: Record<string, number | null>; breaker: boolean }[];
  pricing: {
    source: string;
    inputPerMTok: number;
    outputPerMTok: number;
    cacheReadMultiplier: number;
    cacheWriteMultiplier: number;
    cacheTtl: number;
    caching: 'explicit' | 'automatic' | 'none';
    /** The preset the prices came from, long-context tiers, and whether batch rates apply. */
    preset?: string;
    tiers?: { above: number; inputPerMTok: number; outputPerMTok: number }[];
    batch?: true;
  };
  windowMs: number;
  /** Time windows of the scenario's faults (ms; `to` null: to the end), shaded on every time series. */
  faultWindows: FaultWindow[];
  /** The scenario's thresholds, so a merged report is judged like the unsharded one. */
  thresholds: Record<string, string[]>;
  /** What the verdict optimises (scenario `report.objective`, `report.maximize`, `report.completionFloor`). */
  verdict: { objective: string; maximize: boolean; completionFloor: number };
  /** Pool sizes, for utilisation. */
  system?: { serverConcurrency: number; relayMaxInFlight: number };
  /** Where percentile timeouts got their percentiles; absent when no policy uses one (run/calibrate.ts). */
  calibration?: CalibrationInfo;
  /** The scenario's time-windowed faults that end, recovery is judged against (report/recovery.ts). */
  incidentWindows?: IncidentWindow[];
}

/** The calibration pass's figures: what `p95x1.5` was 1.5 × of, per tool. */
export interface CalibrationInfo {
  /**
   * The neutral pass's measured window (ms): warm-up discarded before `fromMs`, the drain after
   * `toMs`; `drift` is the rise of mean attempt latency from its first quarter to its last (above
   * 0.1 the queue was still growing); `extended`: the first pass was not steady, so it ran again
   * four times as long (run/calibrate.ts).
   */
  window?: { fromMs: number; toMs: number; warmup: 'auto' | 'fixed' | 'none'; drift: number; extended: boolean };
  /** Whether the pass ran the scenario's time-windowed faults. */
  faults: 'exclude' | 'include';
  /** Per tool: attempt latency percentiles (ms), the attempts they count, and where they came from. */
  tools: Record<string, { source: 'sim' | 'probe'; count: number; p50: number; p95: number; p99: number }>;
}

export interface FaultWindow {
  kind: string;
  /** The fault in a few words: `outage relay`, `latency-spike agentToRelay ×3`. */
  label: string;
  from: number;
  to: number | null;
}
