/**
 * Trace replay: recorded sessions run verbatim — their tools, parallel groups, server times and
 * result sizes — in the simulator and on real sockets, under any policy.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { runLive } from '../../src/run/live.js';
import { runSim } from '../../src/run/sim.js';
import { loadScenario } from '../../src/scenario/load.js';
import { baseScenario } from '../helpers/scenario.js';
import { runCli } from '../helpers/cli.js';

const TRACE = [
  { session: 'a', calls: [{ tool: 'x', latencyMs: 100, resultTokens: 500 }] },
  { session: 'b', calls: [{ tool: 'y', latencyMs: 30, resultTokens: 70 }] },
  { session: 'a', calls: [{ tool: 'x', latencyMs: 50, resultTokens: 10 }, { tool: 'y', latencyMs: 200, resultTokens: 20 }] },
];

function write(lines: string[], patch: (d: any) => void = () => {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'tunnelsim-trace-'));
  writeFileSync(join(dir, 'sessions.jsonl'), `${lines.join('\n')}\n`);
  const d = baseScenario();
  d.workload = { model: 'closed', agents: 1, workflows: 4 };
  d.workflow = { trace: 'sessions.jsonl' };
  d.llm.systemTokens = 1000;
  d.llm.pricing.caching = 'none';
  d.server = { concurrency: 4, tools: { x: { service: '1ms', resultTokens: 1 }, y: { service: '1ms', resultTokens: 1 } } };
  patch(d);
  writeFileSync(join(dir, 's.yaml'), stringify(d));
  return join(dir, 's.yaml');
}

describe('trace replay', () => {
  it('replays each session’s steps, parallel groups, server times and result sizes in the simulator', () => {
    const r = runSim(loadScenario(write(TRACE.map((t) => JSON.stringify(t))))).policies[0];
    // Workflows 0..3 replay sessions a, b, a, b.
    expect(r.workflows.completed).toBe(4);
    expect(r.calls.logical).toBe(2 * 3 + 2 * 1);
    // Server times are the trace's: a = 100, 50, 200; b = 30 (twice each); HDR keeps 3 digits.
    expect(r.latency.server.max).toBeCloseTo(200, 0);
    expect(Math.abs(r.latency.server.mean / ((2 * (100 + 50 + 200 + 30)) / 8) - 1)).toBeLessThan(1e-3);
    // Input tokens: a reads 1000, then 1000 + 500, and its final turn 1000 + 500 + 10 + 20; b reads
    // 1000, and its final turn 1000 + 70 (no output tokens, no caching).
    expect(r.tokens.input).toBe(2 * (1000 + 1500 + 1530) + 2 * (1000 + 1070));
  });

  it('replays the same server times through a real relay, connector and upstream', async () => {
    const sc = loadScenario(write(TRACE.map((t) => JSON.stringify(t))));
    const report = await runLive(sc, { timeScale: 0.25 });
    const live = report.policies[0];
    expect(live.workflows.completed).toBe(4);
    // Real timers fire a little late — by at most this run's own worst timer lateness (wall ms,
    // so ÷ 0.25 in scenario ms) — and HDR keeps 3 digits: the trace's 200 ms call stays at 200 plus that.
    expect(live.latency.server.max).toBeGreaterThanOrEqual(199);
    expect(live.latency.server.max).toBeLessThan(201 + report.live!.timerLateness!.max / 0.25);
    // The agent measured real calls at least that long.
    expect(live.latency.call.max).toBeGreaterThanOrEqual(200);
  });

  it('names the trace file and line of a bad step, and a tool the server lacks', async () => {
    const bad = write([JSON.stringify(TRACE[0]), '{"session": "a", "calls": []}']);
    const r = await runCli(['validate', bad]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/workflow\.trace: trace 'sessions\.jsonl' line 2: calls: /);
    const unknown = write([JSON.stringify({ session: 'a', calls: [{ tool: 'z' }] })]);
    const u = await runCli(['validate', unknown]);
    expect(u.code).toBe(2);
    expect(u.err).toMatch(/workflow\.trace: session 1 calls unknown tool 'z'/);
  });
});

describe('a live run’s trace', () => {
  it('replays in the simulator with the live run’s server times and result sizes', async () => {
    const { traceJsonl } = await import('../../src/scenario/trace.js');
    const file = write(TRACE.map((t) => JSON.stringify(t)));
    let jsonl = '';
    const live = (await runLive(loadScenario(file), { timeScale: 0.25, trace: (t) => (jsonl = t) })).policies[0];
    expect(jsonl.trim().split('\n')).toHaveLength(live.calls.logical);
    // The recorded trace replays as the same sessions: same calls, same server times.
    const replay = write(jsonl.trim().split('\n'));
    const sim = runSim(loadScenario(replay)).policies[0];
    expect(sim.calls.logical).toBe(live.calls.logical);
    expect(Math.abs(sim.latency.server.mean / live.latency.server.mean - 1)).toBeLessThan(1e-3);
    expect(traceJsonl([])).toBe('');
  });
});
