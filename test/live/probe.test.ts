// `probe` against a real MCP SDK server writes samples that, loaded by a scenario, make the
// simulator reproduce the probed latency percentiles.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.js';
import { startLocalTunnel, type LocalTunnel } from '../../src/tunnel/local-tunnel.js';
import { probe, probeTrace, writeProbeFiles, type ToolProbe } from '../../src/live/probe.js';
import { runSim } from '../../src/run/sim.js';
import { scenario } from '../helpers/scenario.js';

function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
}

let dir: string;
let tunnel: LocalTunnel;
let probes: ToolProbe[];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tunnelsim-probe-'));
  let i = 0;
  // Service times spread over 5–45 ms, deterministically.
  tunnel = await startLocalTunnel({ upstream: { kind: 'mock', tools: { spread: { serviceMs: () => 5 + ((i++ * 37) % 41), resultTokens: () => 250 } } } });
  probes = await probe({ url: tunnel.url, token: tunnel.token, calls: 120 });
});

afterAll(async () => {
  await tunnel?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('probe', () => {
  it('measures every listed tool: latency per call and result tokens of real payloads', () => {
    expect(probes.map((p) => p.tool)).toEqual(['spread']);
    const p = probes[0];
    expect(p.errors).toBe(0);
    expect(p.latencyMs).toHaveLength(120);
    expect(Math.min(...p.latencyMs)).toBeGreaterThanOrEqual(5);
    // 250 tokens of mock text ('x' × 1000) in o200k: counted, not assumed.
    expect(new Set(p.resultTokens).size).toBe(1);
    expect(p.resultTokens[0]).toBeGreaterThan(0);
  });

  it('writes sample files a scenario loads, and the simulator reproduces the probed p50 and p95', async () => {
    const files = await writeProbeFiles(probes, dir);
    expect((await readFile(files[0].latency, 'utf8')).split('\n')[1]).toMatch(/^\d+\.\d{3}ms$/);
    const sc = scenario({
      workload: { model: 'closed', agents: 1, workflows: 2000 },
      workflow: { steps: 1, tools: ['spread'] },
      server: { concurrency: 8, tools: { spread: { service: { dist: 'empirical', file: files[0].latency }, resultTokens: { dist: 'empirical', file: files[0].tokens } } } },
      llm: { latency: { ttft: '0ms', outputTokensPerSec: 1000, prefillTokensPerSec: 1000000000 } },
    });
    const call = runSim(sc, { replications: 1 }).policies[0].latency.call;
    const probed = probes[0].latencyMs;
    // Distribution-free bounds: 2,000 draws from the 120 probed samples put the simulator's p-th
    // percentile within ±3 points of rank of the samples' own (the rank's standard error is under
    // 0.5 point), whatever shape a busy machine gave the samples; HDR keeps 3 digits.
    const within = (got: number | null, p: number) => {
      expect(got!).toBeGreaterThanOrEqual(quantile(probed, p - 0.03) * 0.999);
      expect(got!).toBeLessThanOrEqual(quantile(probed, p + 0.03) * 1.001);
    };
    within(call.p50, 0.5);
    within(call.p95, 0.95);
  });

  it('writes its calls as a trace that the simulator replays verbatim', async () => {
    const file = join(dir, 'probe.jsonl');
    await writeFile(file, probeTrace(probes));
    const lines = (await readFile(file, 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
    expect(lines).toHaveLength(120);
    expect(lines[7]).toEqual({ session: 0, step: 7, calls: [{ tool: 'spread', latencyMs: Number(probes[0].latencyMs[7].toFixed(3)), argTokens: probes[0].argTokens, resultTokens: probes[0].resultTokens[7] }] });
    const sc = scenario({
      workload: { model: 'closed', agents: 1, workflows: 1 },
      workflow: { trace: file, steps: null, tools: null, order: null },
      server: { concurrency: 1, tools: { spread: { service: '1ms', resultTokens: 1 } } },
    });
    const r = runSim(sc).policies[0];
    expect(r.calls.logical).toBe(120);
    // The probed round trips are the replayed server times (to the trace's 1 µs rounding).
    const mean = probes[0].latencyMs.reduce((a, b) => a + b, 0) / 120;
    expect(Math.abs(r.latency.server.mean / mean - 1)).toBeLessThan(1e-3);
  });

  it('refuses a tool the endpoint does not list', async () => {
    await expect(probe({ url: tunnel.url, token: tunnel.token, tools: ['nope'], calls: 1 })).rejects.toThrow(/no tool 'nope'/);
  });

  it('is the probe command: prints percentiles and the scenario lines, bearer token from an env var', async () => {
    let out = '';
    const o = vi.spyOn(process.stdout, 'write').mockImplementation((t) => ((out += String(t)), true));
    const e = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    process.env.TUNNELSIM_TEST_PROBE_TOKEN = tunnel.token;
    try {
      const trace = join(dir, 'cli', 'calls.jsonl');
      expect(await main(['probe', '--url', tunnel.url, '--token-env', 'TUNNELSIM_TEST_PROBE_TOKEN', '--calls', '3', '--out', join(dir, 'cli'), '--trace', trace])).toBe(0);
      expect((await readFile(trace, 'utf8')).trim().split('\n')).toHaveLength(3);
      expect(out).toContain('workflow: { trace:');
      expect(out).toMatch(/spread: 3 calls, 0 errors, latency p50 [\d.]+ms/);
      expect(out).toContain('dist: empirical, file:');
      expect(await main(['probe', '--url', tunnel.url, '--calls', '0'])).toBe(2);
    } finally {
      delete process.env.TUNNELSIM_TEST_PROBE_TOKEN;
      o.mockRestore();
      e.mockRestore();
    }
  });
});
