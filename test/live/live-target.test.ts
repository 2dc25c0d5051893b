// `--target`: the scenario's workflows and policies against an external Streamable HTTP endpoint
// (here: SDK servers on 127.0.0.1), with tool arguments from the scenario's templates.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { stringify } from 'yaml';
import { main } from '../../src/cli/main.js';
import { startLocalTunnel, type LocalTunnel } from '../../src/tunnel/local-tunnel.js';
import { expandArgs } from '../../src/tunnel/tool-args.js';
import type { Report } from '../../src/report/types.js';
import { runLive } from '../../src/run/live.js';
import { baseScenario, scenario } from '../helpers/scenario.js';
// @ts-expect-error: a plain-JS fixture without types
import { startHttpServer } from '../fixtures/http-server.mjs';

describe('expandArgs', () => {
  it('fills {{workflow}}, {{step}}, {{call}} and {{attempt}} in every string, leaving other values', () => {
    const args = expandArgs({ q: 'w{{workflow}}/s{{step}}/c{{call}}/a{{attempt}}', n: 3, nested: ['{{step}}', { x: '{{nope}}' }] }, { workflow: 7, key: 2 * 64 + 1, attempt: 4 });
    expect(args).toEqual({ q: 'w7/s2/c1/a4', n: 3, nested: ['2', { x: '{{nope}}' }] });
    expect(expandArgs(undefined, { workflow: 0, key: 0, attempt: 0 })).toEqual({});
  });
});

let server: { url: string; close(): Promise<void> };
let tunnel: LocalTunnel;
let dir: string;

beforeAll(async () => {
  server = await startHttpServer('ext');
  tunnel = await startLocalTunnel({ upstream: { kind: 'mock', tools: { q: { serviceMs: () => 2, resultTokens: () => 40 } } } });
  dir = await mkdtemp(join(tmpdir(), 'tunnelsim-target-'));
});

afterAll(async () => {
  await server?.close();
  await tunnel?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('runLive with a target', () => {
  it('runs the workflows against the endpoint with templated arguments and counts its real payloads', async () => {
    const sc = scenario({
      workload: { model: 'closed', agents: 3, workflows: 6 },
      workflow: { steps: 4, tools: ['echo', 'slow'], order: 'round-robin' },
      server: { tools: { echo: { service: '1ms', resultTokens: 1, args: { text: 'w{{workflow}}-s{{step}}' } }, slow: { service: '1ms', resultTokens: 1, args: { ms: 250 } } } },
      policies: [{ name: 'p', timeout: '5s' }],
    });
    const report = await runLive(sc, { target: { url: `${server.url}?secret=x`, headers: {} } });
    const p = report.policies[0];
    expect(report.live?.target).toBe(server.url);
    expect(p.workflows.completed).toBe(6);
    expect(p.calls.errors).toBe(0);
    // The endpoint's own time, not the scenario's 1 ms service: `slow` waits 250 ms (far more than a
    // loaded machine adds to an echo).
    expect(p.tools.slow.call.p50).toBeGreaterThanOrEqual(250);
    expect(p.tools.echo.call.p50).toBeLessThan(p.tools.slow.call.p50!);
    // `ext:w0-s0`: a few tokens per echo, counted; the scenario said 1.
    expect(p.tokens.total).toBeGreaterThan(0);
  });
});

describe('tunnelsim live --target', () => {
  it('sends the bearer token from the environment variable and writes a live report naming the target', async () => {
    const data = baseScenario();
    data.workflow = { steps: 2, tools: ['q'], order: 'round-robin' };
    data.workload = { model: 'closed', agents: 2, workflows: 4 };
    data.server = { concurrency: 8, tools: { q: { service: '1ms', resultTokens: 1 } } };
    await writeFile(join(dir, 'q.yaml'), stringify(data));
    const o = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const e = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      process.env.TUNNELSIM_TEST_TARGET_TOKEN = tunnel.token;
      expect(await main(['live', join(dir, 'q.yaml'), '--target', tunnel.url, '--target-token-env', 'TUNNELSIM_TEST_TARGET_TOKEN', '--out', dir])).toBe(0);
      const report = JSON.parse(await readFile(join(dir, 'test.live.json'), 'utf8')) as Report;
      expect(report.live?.target).toBe(tunnel.url);
      expect(report.policies[0].workflows.completed).toBe(4);
      // Without the token the relay answers 401 and the run cannot open its sessions.
      delete process.env.TUNNELSIM_TEST_TARGET_TOKEN;
      expect(await main(['live', join(dir, 'q.yaml'), '--target', tunnel.url, '--target-token-env', 'TUNNELSIM_TEST_TARGET_TOKEN', '--out', dir])).toBe(3);
      expect(await main(['live', join(dir, 'q.yaml'), '--target', 'ftp://x'])).toBe(2);
    } finally {
      delete process.env.TUNNELSIM_TEST_TARGET_TOKEN;
      o.mockRestore();
      e.mockRestore();
    }
  });
});
