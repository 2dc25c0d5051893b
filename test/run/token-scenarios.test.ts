/**
 * The token-bill scenarios in scenarios/ show what their comments promise: agent-layer retries
 * overflow a small context window and transport-layer retries (or drop-oldest) do not; honouring
 * a Retry-After longer than the cache TTL expires the prompt cache.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parseScenario } from '../../src/scenario/load.js';
import { runSim } from '../../src/run/sim.js';

function load(file: string, patch: (d: any) => void = () => {}) {
  const data = parse(readFileSync(file, 'utf8'));
  patch(data);
  return runSim(parseScenario(data, file));
}

describe('scenarios/context-blowup.yaml', () => {
  const r = load('scenarios/context-blowup.yaml');
  const agent = r.policies.find((p) => p.name === 'agent-retry')!;
  const transport = r.policies.find((p) => p.name === 'transport-retry')!;

  it('overflows workflows under agent-layer retries and none under transport-layer retries', () => {
    expect(agent.tokens.overflows).toBeGreaterThan(0);
    expect(agent.workflows.failedByReason.contextOverflow).toBe(agent.tokens.overflows);
    expect(transport.tokens.overflows).toBe(0);
    expect(transport.workflows.failed).toBe(0);
  });

  it('charges the agent-layer policy a retry tax in two parts: retry turns and failed workflows', () => {
    expect(agent.cost.retryTurns).toBeGreaterThan(0);
    expect(agent.cost.failedWorkflows).toBeGreaterThan(0);
    expect(agent.cost.retryTurnsShare).toBeCloseTo(agent.cost.retryTurns / agent.cost.total, 4);
    expect(transport.cost.retryTurns).toBe(0);
    expect(transport.cost.failedWorkflows).toBe(0);
  });

  it('keeps agent-layer retries inside the window with drop-oldest', () => {
    const dropped = load('scenarios/context-blowup.yaml', (d) => (d.llm.contextStrategy = { kind: 'drop-oldest' })).policies[0];
    expect(dropped.tokens.overflows).toBe(0);
    expect(dropped.tokens.contextDrops).toBeGreaterThan(0);
  });
});

describe('scenarios/cache-expiry.yaml', () => {
  it('expires the cache only when the transport layer waits out a Retry-After longer than the TTL', () => {
    const r = load('scenarios/cache-expiry.yaml', (d) => (d.workload.workflows = 60));
    const honor = r.policies.find((p) => p.name === 'honor-retry-after')!;
    const short = r.policies.find((p) => p.name === 'short-backoff')!;
    expect(honor.tokens.cacheExpiries).toBeGreaterThan(0);
    expect(short.tokens.cacheExpiries).toBe(0);
    // Same tokens (common random numbers), billed as writes instead of reads.
    expect(honor.tokens.total).toBe(short.tokens.total);
    expect(honor.cost.total).toBeGreaterThan(short.cost.total);
  });
});
