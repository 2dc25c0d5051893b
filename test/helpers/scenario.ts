/** Builds scenarios in code for tests: a minimal valid base that a test overrides field by field. */
import { parseScenario } from '../../src/scenario/load.js';
import type { Scenario } from '../../src/scenario/types.js';

export function baseScenario(): Record<string, any> {
  return {
    name: 'test',
    seed: 7,
    // One world per policy: unit tests read a policy's figures as one run's.
    replications: 1,
    workload: { model: 'closed', agents: 4, workflows: 20 },
    workflow: { steps: 3, tools: ['a'], order: 'round-robin' },
    llm: {
      systemTokens: 0,
      toolSchemaTokens: 0,
      taskTokens: 0,
      outputTokensPerTurn: 0,
      latency: { ttft: '0ms', outputTokensPerSec: 1000, prefillTokensPerSec: 1000000 },
      pricing: { source: 'test prices', inputPerMTok: 3, outputPerMTok: 15, caching: 'none' },
    },
    network: { agentToRelay: { latency: '0ms' }, relayToServer: { latency: '0ms' } },
    relay: { processing: '0ms' },
    server: { concurrency: 8, tools: { a: { service: '10ms', resultTokens: 100 } } },
    policies: [{ name: 'p', timeout: 'none' }],
  };
}

/**
 * A small run with work for a job runner: one tool with errors, and two policies, one of which
 * resolves its timeout from the calibration pass (so the pool runs a calibration task and worlds
 * that wait for it, beside worlds that do not).
 */
export function workerScenario(): Record<string, any> {
  const d = baseScenario();
  d.name = 'small';
  d.workload = { model: 'open', arrivalRate: 4, workflows: 150 };
  d.workflow.steps = 2;
  d.server = { concurrency: 2, tools: { a: { service: { dist: 'exponential', mean: '150ms' }, resultTokens: 50 } } };
  d.faults = [{ kind: 'error', probability: 0.05 }];
  d.policies = [
    { name: 'pct', timeout: { perTool: 'p95x1.5' }, retry: { maxAttempts: 2 } },
    { name: 'fixed', timeout: '2s', retry: { maxAttempts: 3 } },
  ];
  return d;
}

/** Deep-merges `patch` into the base (arrays and scalars replace). */
export function scenario(patch: Record<string, any> = {}): Scenario {
  return parseScenario(merge(baseScenario(), patch), '<test>');
}

function merge(a: any, b: any): any {
  if (b === undefined) return a;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null || Array.isArray(a) || Array.isArray(b)) return b;
  const out: any = { ...a };
  for (const [k, v] of Object.entries(b)) out[k] = v === null ? undefined : merge(a[k], v);
  return out;
}
