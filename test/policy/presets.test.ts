/** Presets: each resolves, cites where its defaults were read, and runs. */
import { describe, expect, it } from 'vitest';
import { PRESETS } from '../../src/policy/presets.js';
import { runSim } from '../../src/run/sim.js';
import { scenario } from '../helpers/scenario.js';
import { policy } from './harness.js';

describe('PRESETS', () => {
  it('cite a source file or documentation page for every preset', () => {
    for (const [name, p] of Object.entries(PRESETS)) expect(p.source, name).toMatch(/\.(ts|py|java|js|org)\b|pollydocs|advice/);
  });

  it('reproduce the published defaults they cite', () => {
    const sdk = policy({ preset: 'mcp-sdk-default' });
    expect([sdk.timeout.default, sdk.retry.maxAttempts]).toEqual([{ kind: 'fixed', ms: 60_000 }, 1]);
    const openai = policy({ preset: 'openai-agents-mcp' });
    expect([openai.timeout.default, openai.retry.maxAttempts]).toEqual([{ kind: 'fixed', ms: 5_000 }, 1]);
    const r4j = policy({ preset: 'resilience4j' });
    expect(r4j.breaker).toMatchObject({ kind: 'count', window: 100, minimumCalls: 100, failureRate: 0.5, halfOpenProbes: 10 });
    expect(r4j.retry.maxAttempts).toBe(3); // resilience4j's maxAttempts counts the first call too
    const polly = policy({ preset: 'polly-v8' });
    expect(polly.retry.maxAttempts).toBe(4); // MaxRetryAttempts 3 retries + the first attempt
    expect(polly.breaker).toMatchObject({ kind: 'sampling', failureRatio: 0.1, duration: 30_000, minimumThroughput: 100 });
    expect(policy({ preset: 'cockatiel' }).breaker).toMatchObject({ minimumThroughput: 250 }); // 25 rps × 10 s
    expect(policy({ preset: 'opossum' }).timeout.default).toEqual({ kind: 'fixed', ms: 10_000 });
  });

  it('let an entry override any field of its preset', () => {
    const p = policy({ preset: 'polly-v8', retry: { maxAttempts: 2 } });
    expect(p.retry.maxAttempts).toBe(2);
    expect(p.breaker?.kind).toBe('sampling');
  });

  it('run in the simulator side by side', () => {
    const names = Object.keys(PRESETS);
    const sc = scenario({ faults: [{ kind: 'error', probability: 0.1 }], policies: names.map((n) => ({ name: n, preset: n })) });
    const r = runSim(sc);
    expect(r.policies.map((p) => p.name)).toEqual(names);
    for (const p of r.policies) expect(p.workflows.started, p.name).toBe(20);
  });
});
