/**
 * Tunnel cutoffs: a hop that resets streams longer than its limit fails long tool calls with
 * `reset` (and the retries meet the same limit), while shorter calls pass; the server still does
 * the work it was given. Checked in the simulator and on real sockets.
 */
import { describe, expect, it } from 'vitest';
import { runLive } from '../../src/run/live.js';
import { runSim } from '../../src/run/sim.js';
import { scenario } from '../helpers/scenario.js';

/** Tool `long` takes `longMs`, tool `short` 10 ms; one hop cuts streams after its limit. */
const cutting = (link: Record<string, unknown>, on: 'agentToRelay' | 'relayToServer', longMs: string, policy: Record<string, unknown> = {}, thinkTime = '1m') =>
  scenario({
    // A minute of think time after each workflow lets abandoned work finish inside the run.
    workload: { model: 'closed', agents: 4, workflows: 12, thinkTime },
    workflow: { steps: 2, tools: ['long', 'short'] },
    network: { [on]: { latency: '0ms', ...link } },
    server: { concurrency: 16, tools: { long: { service: longMs, resultTokens: 10 }, short: { service: '10ms', resultTokens: 10 } } },
    policies: [{ name: 'p', timeout: 'none', ...policy }],
  });

describe('stream cutoffs', () => {
  it('reset every call longer than maxStreamDuration at the limit, whichever hop cuts', () => {
    for (const on of ['agentToRelay', 'relayToServer'] as const) {
      const r = runSim(cutting({ maxStreamDuration: '125s' }, on, '150s')).policies[0];
      expect(r.workflows.failedByReason).toEqual({ reset: 12 });
      expect(r.calls.streamCuts).toBe(12);
      // The caller learns of the reset at the cut: 125 s, links and relay take no time here.
      expect(r.latency['call.failed'].max).toBeCloseTo(125_000, -2);
      // The server never hears of it (no cancellation honoured) and finishes every call: zombies.
      expect(r.calls.zombieExecutions).toBe(12);
    }
  });

  it('let calls shorter than the limit through untouched', () => {
    const r = runSim(cutting({ maxStreamDuration: '125s', idleTimeout: '100s' }, 'agentToRelay', '90s')).policies[0];
    expect(r.workflows.completed).toBe(12);
    expect(r.calls.streamCuts).toBe(0);
  });

  it('cut at the idle timeout when it is the shorter limit: a running call sends nothing', () => {
    const r = runSim(cutting({ maxStreamDuration: '125s', idleTimeout: '100s' }, 'agentToRelay', '110s')).policies[0];
    expect(r.calls.streamCuts).toBe(12);
    expect(r.latency['call.failed'].max).toBeCloseTo(100_000, -2);
  });

  it('meet the same cut on every retry, and stop the work where the server honours cancellation', () => {
    const retry = { retry: { maxAttempts: 3, backoff: 'none', layer: 'transport' } };
    const r = runSim(cutting({ maxStreamDuration: '125s' }, 'agentToRelay', '150s', retry)).policies[0];
    expect(r.calls.attempts - r.calls.logical).toBe(2 * 12); // every long call retried twice
    expect(r.calls.streamCuts).toBe(3 * 12);
    expect(r.workflows.failedByReason).toEqual({ reset: 12 });
    const cancelled = runSim(cutting({ maxStreamDuration: '125s' }, 'agentToRelay', '150s', { ...retry, cancelOnTimeout: true })).policies[0];
    expect(cancelled.calls.zombieExecutions).toBe(0);
  });

  it('cut long calls through a real relay, connector and upstream too', async () => {
    // Calls of 1.5 s against a 300 ms limit: room for timers that fire late on a busy machine.
    const sc = cutting({ maxStreamDuration: '300ms' }, 'agentToRelay', '1500ms', {}, '0ms');
    const sim = runSim(sc).policies[0];
    const live = (await runLive(sc, { timeScale: 1 })).policies[0];
    expect(live.workflows.failedByReason).toEqual(sim.workflows.failedByReason);
    expect(live.calls.streamCuts).toBe(12);
    // Real timers fire late, never early: the reset comes at the limit or a little after.
    expect(live.latency['call.failed'].max).toBeGreaterThanOrEqual(300);
    expect(live.latency['call.failed'].max).toBeLessThan(1500);
  });
});
