/**
 * `run --format otlp`: a sim run's attempts as OTLP/JSON traces — byte-identical per seed, and
 * consistent with the report: read back by the importer, the spans give the report's own attempt,
 * server and tunnel round-trip percentiles.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { simOtlpJsonl, type SimWorldSpans } from '../../src/report/otlp-sim.js';
import { runSim } from '../../src/run/sim.js';
import { importOtlp } from '../../src/scenario/otlp-import.js';
import { percentile, toolImports } from '../../src/scenario/otlp-scenario.js';
import { runCli } from '../helpers/cli.js';
import { scenario } from '../helpers/scenario.js';

const sc = scenario({
  workload: { model: 'closed', agents: 4, workflows: 60 },
  workflow: { steps: 6, tools: ['a', 'b'], order: 'round-robin' },
  network: { agentToRelay: { latency: { dist: 'lognormal', median: '20ms', p99: '90ms' } }, relayToServer: { latency: { dist: 'lognormal', median: '5ms', p99: '30ms' } } },
  server: { concurrency: 64, tools: { a: { service: { dist: 'lognormal', median: '40ms', p99: '300ms' }, resultTokens: 10 }, b: { service: { dist: 'exponential', mean: '15ms' }, resultTokens: 10 } } },
});

function exported(seed?: number) {
  const spans = { maxWorkflows: 1000, worlds: [] as SimWorldSpans[] };
  const report = runSim(sc, { seed, spans });
  return { report, text: simOtlpJsonl({ scenario: sc.name, seed: report.seed, version: report.tool.version }, spans.worlds) };
}

describe('sim runs as OTLP traces', () => {
  it('is byte-identical for a seed and changes with it', () => {
    const a = exported();
    expect(exported().text).toBe(a.text);
    const other = exported(8).text;
    expect(other).not.toBe(a.text);
    const ids = (t: string) => new Set([...t.matchAll(/"traceId":"([0-9a-f]{32})"/g)].map((m) => m[1]));
    expect(ids(a.text).size).toBe(60);
    expect([...ids(a.text)].some((id) => ids(other).has(id))).toBe(false);
  });

  it('holds the report’s attempt, server and tunnel round-trip percentiles', () => {
    const { report, text } = exported();
    const p = report.policies[0];
    expect(p.calls.retries).toBe(0);
    const result = importOtlp([{ file: 'sim.otlp.json', text }]);
    expect(result.calls).toHaveLength(p.calls.attempts);
    const tools = toolImports(result.calls);
    const near = (got: number, want: number) => expect(Math.abs(got / want - 1)).toBeLessThan(0.01);
    for (const t of tools) {
      near(percentile(t.callMs, 0.5), p.tools[t.tool].attempt.p50);
      near(percentile(t.callMs, 0.99), p.tools[t.tool].attempt.p99);
    }
    // No queueing anywhere (64 workers, 4 agents): the server span is the service time.
    const server = tools.flatMap((t) => t.serverMs);
    const tunnel = tools.flatMap((t) => t.tunnelMs);
    for (const q of [0.5, 0.95, 0.99] as const) {
      const key = q === 0.5 ? 'p50' : q === 0.95 ? 'p95' : 'p99';
      near(percentile(server, q), p.latency.server[key]);
      near(percentile(tunnel, q), p.latency.tunnelRoundTrip[key]);
    }
  });

  it('is written by run --format otlp without changing the JSON report', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tunnelsim-otlp-run-'));
    const file = 'scenarios/relay-outage.yaml';
    // The scenario's thresholds may fail (exit 1): the files are written either way.
    const codes = [];
    codes.push((await runCli(['run', file, '--format', 'json,otlp', '--otlp-workflows', '3', '--out', join(dir, 'a')])).code);
    codes.push((await runCli(['run', file, '--format', 'json,otlp', '--otlp-workflows', '3', '--out', join(dir, 'b')])).code);
    codes.push((await runCli(['run', file, '--out', join(dir, 'c')])).code);
    for (const c of codes) expect(c).toBeLessThan(2);
    const read = (d: string, f: string) => readFileSync(join(dir, d, f), 'utf8');
    expect(read('a', 'relay-outage.otlp.json')).toBe(read('b', 'relay-outage.otlp.json'));
    expect(read('a', 'relay-outage.json')).toBe(read('c', 'relay-outage.json'));
    const workflows = new Set([...read('a', 'relay-outage.otlp.json').matchAll(/"key":"tunnelsim.workflow","value":\{"intValue":"(\d+)"/g)].map((m) => m[1]));
    expect([...workflows].sort()).toEqual(['0', '1', '2']);
    const bad = await runCli(['run', file, '--format', 'otlp', '--otlp-workflows', '0', '--out', join(dir, 'd')]);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/--otlp-workflows/);
  });
});
