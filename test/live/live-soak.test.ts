// 200 concurrent live agents through one relay: every response reaches the attempt it answers
// (the upstream echoes each call's tag), none is lost, and every call resolves within its timeout.
import { describe, expect, it } from 'vitest';
import { runLive } from '../../src/run/live.js';
import { scenario } from '../helpers/scenario.js';

describe('live run with 200 concurrent agents', () => {
  it('loses and misroutes no response and resolves every call within its deadline', async () => {
    const sc = scenario({
      // A fixed amount of work (not a duration), so a busy machine makes the run slower, not smaller.
      workload: { model: 'closed', agents: 200, workflows: 400, duration: '600s' },
      workflow: { steps: 3, tools: ['a', 'b'], order: 'round-robin' },
      llm: { latency: { ttft: '1s', outputTokensPerSec: 1000, prefillTokensPerSec: 1000000 } },
      network: { agentToRelay: { latency: { dist: 'uniform', min: '5ms', max: '30ms' } }, relayToServer: { latency: '5ms' } },
      server: { concurrency: 256, tools: { a: { service: { dist: 'uniform', min: '10ms', max: '50ms' }, resultTokens: 100 }, b: { service: '20ms', resultTokens: 300 } } },
      policies: [{ name: 'p', timeout: '10s' }],
    });
    const report = await runLive(sc);
    const p = report.policies[0];
    expect(report.live?.sessions).toBe(200);
    expect(report.live?.misrouted).toBe(0);
    expect(p.workflows.started).toBe(400);
    expect(p.workflows.failed).toBe(0);
    expect(p.workflows.completed).toBe(p.workflows.started);
    expect(p.calls.timeouts).toBe(0);
    expect(p.calls.errors).toBe(0);
    expect(p.latency.call.max).toBeLessThan(10_000);
  });
});
