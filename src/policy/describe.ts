/** A one-line, human description of a resolved policy, for reports whose entries give none. */
import type { Policy, TimeoutValue } from './types.js';
import { formatDuration } from '../scenario/units.js';

function timeout(t: TimeoutValue): string {
  if (t.kind === 'none') return 'no timeout';
  if (t.kind === 'fixed') return `timeout ${formatDuration(t.ms)}`;
  return `timeout ${t.factor} × p${t.percentile}`;
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
  if (p.breaker) parts.push(`breaker: ${p.breaker.kind} ${p.breaker.threshold}, half-open after ${formatDuration(p.breaker.halfOpenAfter)}`);
  if (p.deadline !== undefined) parts.push(`workflow deadline ${formatDuration(p.deadline)}`);
  if (p.cancelOnTimeout) parts.push('server honours cancellation');
  return parts.join('; ');
}
