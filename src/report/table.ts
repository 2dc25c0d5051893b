/**
 * The policy comparison table shared by the Markdown and HTML reports: one column per policy, one
 * row per figure, and on rows where lower (or higher) is better the best policy is marked.
 * Latency percentiles come from the HdrHistograms, like the thresholds.
 */
import { measurePolicy, formatValue, type Unit } from './resolve.js';
import type { Target } from './threshold-grammar.js';
import type { PolicyReport, Report } from './types.js';

export interface TableRow {
  label: string;
  cells: string[];
  /** Column indexes holding the best value (empty when no row winner: ties everywhere, or no direction). */
  best: number[];
}

export interface PolicyTable {
  policies: string[];
  rows: TableRow[];
}

interface RowDef {
  label: string;
  unit: Unit;
  better: 'lower' | 'higher' | null;
  value(p: PolicyReport): number | null;
}

const pct = (target: Target) => (p: PolicyReport) => measurePolicy(p, target).value;
const dist = (metric: string, percentile: number): Target => ({ kind: 'dist', metric, aggregate: { kind: 'p', percentile } });

const ROWS: RowDef[] = [
  { label: 'workflows completed', unit: 'plain', better: 'higher', value: (p) => p.workflows.completed },
  { label: 'success rate', unit: 'share', better: 'higher', value: (p) => p.workflows.successRate },
  { label: 'workflow p50', unit: 'ms', better: 'lower', value: pct(dist('workflow', 50)) },
  { label: 'workflow p95', unit: 'ms', better: 'lower', value: pct(dist('workflow', 95)) },
  { label: 'workflow p99', unit: 'ms', better: 'lower', value: pct(dist('workflow', 99)) },
  { label: 'call p50', unit: 'ms', better: 'lower', value: pct(dist('call', 50)) },
  { label: 'call p99', unit: 'ms', better: 'lower', value: pct(dist('call', 99)) },
  { label: 'call p99.9', unit: 'ms', better: 'lower', value: pct(dist('call', 99.9)) },
  { label: 'amplification (attempts ÷ calls)', unit: 'plain', better: 'lower', value: (p) => p.calls.amplification },
  { label: 'timeouts', unit: 'plain', better: 'lower', value: (p) => p.calls.timeouts },
  { label: 'zombie executions', unit: 'plain', better: 'lower', value: (p) => p.calls.zombieExecutions },
  { label: 'duplicate executions', unit: 'plain', better: 'lower', value: (p) => p.calls.duplicateExecutions },
  { label: 'non-idempotent duplicates', unit: 'plain', better: 'lower', value: (p) => p.calls.nonIdempotentDuplicates },
  { label: 'tokens per completed workflow', unit: 'plain', better: 'lower', value: (p) => p.tokens.perCompletedWorkflow },
  { label: 'cost per completed workflow', unit: 'usd', better: 'lower', value: (p) => p.cost.perCompletedWorkflow },
  { label: 'cost per completed workflow p50', unit: 'usd', better: 'lower', value: pct(dist('costPerCompletedWorkflow', 50)) },
  { label: 'cost per completed workflow p95', unit: 'usd', better: 'lower', value: pct(dist('costPerCompletedWorkflow', 95)) },
  { label: 'cost per completed workflow p99', unit: 'usd', better: 'lower', value: pct(dist('costPerCompletedWorkflow', 99)) },
  { label: 'retry tax (share of cost)', unit: 'share', better: 'lower', value: (p) => p.cost.retryTaxShare },
  { label: 'cache hit rate', unit: 'share', better: 'higher', value: (p) => p.tokens.cacheHitRate },
  // Token-bill events; absent (older reports) shows as a dash.
  { label: 'cache expiries', unit: 'plain', better: 'lower', value: (p) => p.tokens.cacheExpiries ?? null },
  { label: 'context overflows', unit: 'plain', better: 'lower', value: (p) => p.tokens.overflows },
  { label: 'context drops / summaries', unit: 'plain', better: null, value: (p) => (p.tokens.contextDrops ?? 0) + (p.tokens.summaries ?? 0) },
  { label: 'spend-cap aborts', unit: 'plain', better: 'lower', value: (p) => p.tokens.spendCapAborts ?? null },
  { label: 'storm peak (attempts ÷ offered)', unit: 'plain', better: 'lower', value: (p) => p.storm.peakRatio },
  { label: 'storm windows above 2×', unit: 'plain', better: 'lower', value: (p) => p.storm.windowsAbove2x },
  { label: 'breaker opens', unit: 'plain', better: null, value: (p) => p.breaker.opens },
  { label: 'breaker rejected calls', unit: 'plain', better: null, value: (p) => p.breaker.rejected },
  // Policy-engine events; absent (older reports) shows as a dash.
  { label: 'retries refused by the budget', unit: 'plain', better: null, value: (p) => p.calls.budgetExhausted ?? null },
  { label: 'hedges sent', unit: 'plain', better: null, value: (p) => p.calls.hedgesSent ?? null },
  { label: 'hedges won', unit: 'plain', better: null, value: (p) => p.calls.hedgesWon ?? null },
  { label: 'attempts wasted by hedging', unit: 'plain', better: 'lower', value: (p) => p.calls.hedgesWasted ?? null },
  { label: 'bulkhead rejections', unit: 'plain', better: 'lower', value: (p) => p.calls.bulkheadRejected ?? null },
  { label: 'streams cut by a hop', unit: 'plain', better: null, value: (p) => p.calls.streamCuts ?? null },
  { label: 'requests shed by the relay', unit: 'plain', better: null, value: (p) => p.calls.shedByRelay ?? null },
  { label: 'calls refused by the concurrency limit', unit: 'plain', better: null, value: (p) => p.calls.limitRejected ?? null },
];

/** Builds the table; a row is marked only when its values differ. */
export function policyTable(report: Report): PolicyTable {
  const rows = ROWS.map((def): TableRow => {
    const values = report.policies.map((p) => finite(def.value(p)));
    const cells = values.map((v) => formatValue(v, def.unit));
    return { label: def.label, cells, best: bestColumns(values, def.better) };
  });
  return { policies: report.policies.map((p) => p.name), rows };
}

function finite(v: number | null | undefined): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

function bestColumns(values: (number | null)[], better: RowDef['better']): number[] {
  const present = values.filter((v): v is number => v !== null);
  if (better === null || present.length < 2) return [];
  const target = better === 'lower' ? Math.min(...present) : Math.max(...present);
  if (present.every((v) => v === target)) return [];
  return values.flatMap((v, i) => (v === target ? [i] : []));
}
