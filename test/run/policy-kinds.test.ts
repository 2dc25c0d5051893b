/**
 * Common random numbers for every policy kind: each policy's figures are the same whether it
 * runs alone or beside the others, breakers, budgets, hedging and bulkheads included.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { runSim } from '../../src/run/sim.js';
import { parseScenario } from '../../src/scenario/load.js';

export const EVERY_KIND = [
  { name: 'consecutive', timeout: '2s', retry: { maxAttempts: 3 }, breaker: { kind: 'consecutive', threshold: 3, halfOpenAfter: '5s', halfOpenProbes: 2 } },
  {
    name: 'count',
    timeout: '2s',
    retry: { maxAttempts: 3 },
    breaker: { kind: 'count', window: 20, minimumCalls: 10, failureRate: 0.3, slowCallRate: 0.5, slowCallDuration: '1s', halfOpenAfter: { kind: 'exponential', base: '2s', max: '20s' }, halfOpenProbes: 3 },
  },
  { name: 'sampling', timeout: '2s', retry: { maxAttempts: 3 }, breaker: { kind: 'sampling', failureRatio: 0.2, duration: '10s', minimumRps: 2, halfOpenAfter: '5s', scope: 'tunnel' } },
  { name: 'finagle', timeout: '1s', retry: { maxAttempts: 5 }, budget: { kind: 'finagle', percentCanRetry: 0.1, minRetriesPerSec: 1 } },
  { name: 'grpc', timeout: '1s', retry: { maxAttempts: 5 }, budget: { kind: 'grpc', maxTokens: 20, tokenRatio: 0.1 } },
  { name: 'envoy', timeout: '1s', retry: { maxAttempts: 5 }, budget: { kind: 'envoy', budgetPercent: 10, minRetryConcurrency: 2 } },
  { name: 'hedged', timeout: '5s', hedging: { delay: 'p90x1', maxHedges: 2 } },
  { name: 'bulkhead', timeout: '5s', bulkhead: { maxConcurrent: 4, queue: 8 } },
  { name: 'errorcodes', timeout: '1s', retry: { maxAttempts: 3, errorCodes: [-32603], backoff: { kind: 'linear', base: '100ms', jitter: 'equal' } } },
];

function reference(policies: unknown[]) {
  const data = parse(readFileSync('scenarios/thirty-call.yaml', 'utf8'));
  data.workload = { model: 'closed', agents: 20, workflows: 80 };
  // The reference's faults, with the spike and the outage moved inside this shorter run.
  data.faults = [
    { kind: 'hang', tool: 'risk.score', probability: 0.005 },
    { kind: 'error', probability: 0.01, code: -32603 },
    { kind: 'latency-spike', link: 'agentToRelay', multiplier: 3, from: '1m', to: '2m' },
    { kind: 'outage', target: 'relay', from: '3m', to: '3m20s' },
  ];
  data.policies = policies;
  delete data.thresholds;
  return parseScenario(data, 'scenarios/thirty-call.yaml');
}

describe('every policy kind', () => {
  const full = runSim(reference(EVERY_KIND));

  it('gives a policy the same figures alone as beside the others', () => {
    for (const entry of EVERY_KIND) {
      const alone = runSim(reference([entry]));
      expect(JSON.stringify(alone.policies[0])).toBe(JSON.stringify(full.policies.find((p) => p.name === entry.name)));
    }
  });

  it('exercises what each kind is for', () => {
    const by = (n: string) => full.policies.find((p) => p.name === n)!;
    for (const n of ['consecutive', 'count', 'sampling']) expect(by(n).breaker.opens, n).toBeGreaterThan(0);
    for (const n of ['finagle', 'grpc', 'envoy']) expect(by(n).calls.budgetExhausted, n).toBeGreaterThan(0);
    expect(by('hedged').calls.hedgesSent).toBeGreaterThan(0);
    expect(by('hedged').calls.hedgesWasted).toBeGreaterThan(0);
    expect(by('bulkhead').latency['call.completed'].p99).toBeGreaterThan(0);
  });
});
