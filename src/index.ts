/**
 * tunnelsim's public API: load a scenario, simulate it, plan capacity, tune a policy, render and
 * compare reports, and run a real relay and connector. Everything else is internal.
 */
export { loadScenario, parseScenario } from './scenario/load.js';
export { runSim, type SimOptions, type Shard } from './run/sim.js';
export { runLive, type LiveOptions } from './run/live.js';
export { calibrateSimLive, calibrationTable, type Calibration, type CalibrationRow } from './run/sim-vs-live.js';
export { mergeReports, readReport } from './run/merge.js';
export { runSweep, type SweepOptions } from './run/sweep.js';
export { runCapacity, type CapacityOptions, type CapacityReport } from './run/capacity.js';
export { runTune, type TuneOptions, type TuneReport } from './run/tune.js';
export { writeReports, type WriteReportsOptions, type ReportFormat } from './report/write.js';
export { evaluateThresholds, parseThreshold } from './report/thresholds.js';
export { compare } from './report/compare.js';
export { compareMarkdown, type CompareMarkdownOptions } from './report/compare-markdown.js';
export { simOtlpJsonl, type SimWorldSpans } from './report/otlp-sim.js';
export { importOtlp, type ImportResult } from './scenario/otlp-import.js';
export { importFiles } from './scenario/otlp-scenario.js';
export { terminalTable } from './report/terminal.js';
export { verdictOf } from './report/verdict.js';
export { RelayServer } from './tunnel/relay-server.js';
export { Connector, type ConnectorOptions } from './tunnel/connector.js';
export { startLocalTunnel, type LocalTunnel, type LocalTunnelOptions } from './tunnel/local-tunnel.js';
export { probe, writeProbeFiles, type ProbeOptions, type ToolProbe } from './live/probe.js';
export { mintToken, type MintOptions } from './tunnel/tokens.js';
export { formatCredential, issueCredential, parseCredential, type ConnectorCredential } from './relay/credentials.js';
export { RelayCore } from './relay/core.js';
export type { RelayObserver } from './tunnel/observer.js';
export { RelayMetrics } from './tunnel/metrics.js';
export { RelayTracing, tracedUpstream } from './tunnel/tracing.js';
export { TunnelsimError, type ErrorCode } from './errors.js';

export type { Scenario } from './scenario/types.js';
export type { Report, PolicyReport, Summary, CensoredSummary, Interval, Verdict, ThresholdResult } from './report/types.js';
export type { Policy } from './policy/types.js';
