/** A one-line, human description of a resolved policy, for reports whose entries give none. */
import type { BreakerSpec, BudgetSpec, Policy, TimeoutValue } from './types.js';
import { formatDuration } from '../scenario/units.js';

function timeout(t: TimeoutValue): string {
  if (t.kind === 'none') return 'no timeout';
  if (t.kind === 'fixed') return `timeout ${formatDuration(t.ms)}`;
  return `timeout ${t.factor} × p${t.percentile}`;
}

function breaker(b: BreakerSpec): string {
  const d = b.halfOpenAfter;
  const after = d.kind === 'fixed' ? formatDuration(d.base) : `${formatDuration(d.base)}…${formatDuration(d.max)}`;
  const what =
    b.kind === 'consecutive'
      ? `consecutive ${b.threshold}`
      : b.kind === 'count'
        ? `count window ${b.window}, failure rate ≥ ${b.failureRate}`
        : `sampling ${formatDuration(b.duration)}, failure ratio ≥ ${b.failureRatio}`;
  return `${what}, half-open after ${after}`;
}

function budget(b: BudgetSpec): string {
  if (b.kind === 'finagle') return `finagle ${b.percentCanRetry * 100} % + ${b.minRetriesPerSec}/s`;
  if (b.kind === 'grpc') return `grpc ${b.maxTokens} tokens, ratio ${b.tokenRatio}`;
  return `envoy ${b.budgetPercent} % of active, min ${b.minRetryConcurrency}`;
}

export function describePolicy(p: Omit<Policy, 'description'>): string {
  const parts: string[] = [];
  const tools = Object.entries(p.timeout.perTool);
  parts.push(tools.length ? `${timeout(p.timeout.default)} (${tools.map(([n, t]) => `${n}: ${timeout(t).replace('timeout ', '')}`).join(', ')})` : `${timeout(p.timeout.default)} per call`);
  const r = p.retry;
  if (r.maxAttempts <= 1) parts.push('no retry');
  else {
    const b = r.backoff;
    const backoff =
      b.kind === 'none' ? 'no backoff' : `${b.kind} backoff ${formatDuration(b.base)}${b.kind === 'constant' ? '' : `…${formatDuration(b.max)}`}${b.jitter === 'none' ? '' : `, ${b.jitter} jitter`}`;
    parts.push(`${r.maxAttempts} attempts at the ${r.layer} layer, ${backoff}`);
  }
  if (p.breaker) parts.push(`breaker: ${breaker(p.breaker)}`);
  if (p.budget) parts.push(`retry budget: ${budget(p.budget)}`);
  if (p.hedging) parts.push(`hedge after ${timeout(p.hedging.delay).replace('timeout ', '')} (≤ ${p.hedging.maxHedges})`);
  if (p.bulkhead) parts.push(`bulkhead ${p.bulkhead.maxConcurrent} per ${p.bulkhead.scope}, queue ${p.bulkhead.queue}`);
  if (p.concurrencyLimit) {
    const l = p.concurrencyLimit;
    parts.push(`adaptive concurrency limit (AIMD ${l.min}…${l.max}, start ${l.initial}, ×${l.backoffRatio} on a drop or a round trip over ${formatDuration(l.timeout)})`);
  }
  if (p.relayShedding && p.relayShedding !== 'none') parts.push(`relay sheds requests queued past ${formatDuration(p.relayShedding.target)} in a standing queue (CoDel-style, interval ${formatDuration(p.relayShedding.interval)})`);
  if (p.relayShedding === 'none') parts.push('relay does not shed');
  if (p.deadline !== undefined) parts.push(`workflow deadline ${formatDuration(p.deadline)}`);
  if (p.cancelOnTimeout) parts.push('server honours cancellation');
  return parts.join('; ');
}
