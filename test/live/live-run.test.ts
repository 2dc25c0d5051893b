// The live run end to end on loopback: a shortened copy of the reference scenario through a real
// relay, connector and MCP upstream, written by the report renderers and read by `compare`.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.js';
import { compare, toComparable } from '../../src/report/compare.js';
import { terminalTable } from '../../src/report/terminal.js';
import type { Report } from '../../src/report/types.js';
import { writeReports } from '../../src/report/write.js';
import { runLive } from '../../src/run/live.js';
import { runSim } from '../../src/run/sim.js';
import { parseScenario, readScenarioData } from '../../src/scenario/load.js';
import type { Scenario } from '../../src/scenario/types.js';
import { stringify } from 'yaml';

/** thirty-call.yaml cut to 12 workflows of 4 steps (its faults and policies kept). */
function shortThirtyCall(): Record<string, any> {
  const data = readScenarioData('scenarios/thirty-call.yaml') as Record<string, any>;
  data.workload.workflows = 12;
  data.workflow.steps = 4;
  return data;
}

function sockets(): number {
  return process.getActiveResourcesInfo().filter((r) => r === 'TCPSocketWrap' || r === 'TCPServerWrap').length;
}

let dir: string;
let sc: Scenario;
let live: Report;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tunnelsim-live-'));
  sc = parseScenario(shortThirtyCall(), 'short-thirty-call.yaml');
  const before = sockets();
  live = await runLive(sc, { timeScale: 0.05 });
  // Sockets may take a turn of the loop to be released after close().
  for (let i = 0; i < 50 && sockets() > before; i++) await new Promise((r) => setTimeout(r, 20));
  expect(sockets()).toBe(before);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('runLive', () => {
  it('runs every policy of the scenario over real sockets and reports in live mode', () => {
    expect(live.mode).toBe('live');
    const { timerLateness, fidelity, ...info } = live.live!;
    expect(fidelity).toBeDefined();
    expect(info).toEqual({ timeScale: 0.05, encoding: 'o200k_base', sessions: 64, transport: 'streamable-http', misrouted: 0 });
    // The run's own delay accuracy: every attempt waited at least its outgoing link delay on the clock.
    expect(timerLateness!.count).toBeGreaterThanOrEqual(live.policies.reduce((n, p) => n + p.calls.attempts, 0));
    expect(timerLateness!.p50).toBeGreaterThanOrEqual(0);
    expect(timerLateness!.p99).toBeGreaterThanOrEqual(timerLateness!.p50);
    expect(timerLateness!.max).toBeGreaterThanOrEqual(timerLateness!.p99);
    expect(live.policies.map((p) => p.name)).toEqual(['sdk-default', 'naive-retry', 'seed-guidance']);
    for (const p of live.policies) {
      expect(p.workflows.started).toBe(12);
      expect(p.workflows.completed + p.workflows.failed).toBe(12);
      expect(p.calls.logical).toBeGreaterThanOrEqual(12);
      expect(p.tokens.encoding).toBe('o200k_base');
    }
  });

  it('reads latencies in scenario time: calls take at least the drawn link delays, not 1/20 of them', () => {
    // Four one-way link delays with medians 180, 180, 30 and 30 ms: a call's median is well above 300 ms.
    for (const p of live.policies) expect(p.latency.call.p50).toBeGreaterThan(300);
  });

  it('bills tokens counted in real result payloads that match the drawn sizes', () => {
    // One replication, as live runs: the same worlds on the same draws.
    const sim = runSim(sc, { replications: 1 });
    const sdkLive = live.policies[0];
    const sdkSim = sim.policies[0];
    // Same keyed draws, same policy: completed workflows bill the same outputs; results are counted, not drawn.
    expect(sdkLive.tokens.output / sdkLive.workflows.started).toBeCloseTo(sdkSim.tokens.output / sdkSim.workflows.started, -2);
    expect(sdkLive.tokens.total).toBeGreaterThan(0);
  });

  it('writes a report the renderers and compare accept', async () => {
    const files = await writeReports(live, { out: dir, basename: 'live', formats: ['json', 'md', 'html'] });
    expect(files.map((f) => f.slice(dir.length + 1))).toEqual(expect.arrayContaining(['live.json', 'live.md', 'live.html']));
    const md = await readFile(join(dir, 'live.md'), 'utf8');
    expect(md).toContain('seed-guidance');
    // Every view says how much the real stack added per call, measured on every answered attempt.
    const f = live.live!.fidelity!;
    expect(f.overhead.count).toBeGreaterThan(0);
    expect(f.overhead.p50).toBeGreaterThanOrEqual(0);
    expect(f.overhead.p99).toBeGreaterThanOrEqual(f.overhead.p50);
    for (const text of [md, await readFile(join(dir, 'live.html'), 'utf8'), terminalTable(live)]) expect(text).toMatch(/fidelity: real-stack overhead per call p50 /);
    const sim = runSim(sc);
    const result = compare(toComparable(sim, 'sim.json'), toComparable(JSON.parse(await readFile(join(dir, 'live.json'), 'utf8')), 'live.json'), ['workflows.failedRate <= +100%']);
    expect(result.checks.length).toBeGreaterThan(0);
  });
});

describe('tunnelsim live', () => {
  it('writes the live report and the compare command reads it', async () => {
    const data = shortThirtyCall();
    data.workload.workflows = 3;
    data.policies = [data.policies[0]];
    data.thresholds = {};
    await writeFile(join(dir, 'tiny.yaml'), stringify(data));
    let out = '';
    const o = vi.spyOn(process.stdout, 'write').mockImplementation((s) => ((out += String(s)), true));
    const e = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      // With a warm-up: its two workflows run first and are not in the report.
      expect(await main(['live', join(dir, 'tiny.yaml'), '--time-scale', '0.05', '--warmup', '2', '--out', join(dir, 'cli'), '--format', 'json,md'])).toBe(0);
      expect(out).toContain('thirty-call — live');
      const report = JSON.parse(await readFile(join(dir, 'cli', 'thirty-call.live.json'), 'utf8')) as Report;
      expect(report.mode).toBe('live');
      expect(report.policies[0].workflows.started).toBe(3);
      const file = join(dir, 'cli', 'thirty-call.live.json');
      expect(await main(['compare', file, file])).toBe(0);
      expect(await main(['live', join(dir, 'tiny.yaml'), '--time-scale', '0'])).toBe(2);
      expect(await main(['live', join(dir, 'tiny.yaml'), '--warmup', '-1'])).toBe(2);
    } finally {
      o.mockRestore();
      e.mockRestore();
    }
  });
});
