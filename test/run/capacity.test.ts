import { describe, expect, it } from 'vitest';
import { capacityHtml, capacityTitle } from '../../src/report/capacity.js';
import type { CapacityReport } from '../../src/report/capacity-report.js';
import { knee, runCapacity } from '../../src/run/capacity.js';
import { baseScenario } from '../helpers/scenario.js';
import { erlangC } from '../helpers/queueing.js';

function queue(lambda: number, c: number, workflows: number) {
  const d = baseScenario();
  d.workload = { model: 'open', arrivalRate: lambda, workflows };
  d.workflow.steps = 1;
  d.server = { concurrency: c, tools: { a: { service: { dist: 'exponential', mean: '100ms' }, resultTokens: 0 } } };
  return d;
}

describe('runCapacity', () => {
  it('finds the M/M/1 arrival rate whose mean wait is 100 ms: λ* = μ²W/(1 + μW) = 5/s, within 4%', async () => {
    const r = await runCapacity('<test>', queue(2, 1, 60_000), { vary: 'workload.arrivalRate', slo: ['serverQueue.avg < 100ms'], curve: [0.5, 1, 1.5] });
    // Near λ* the wait's slope is 1/(μ − λ)² = 0.04 s per 1/s, so the ~2% noise of the measured
    // mean wait moves the crossing by ~1%; the search tolerance adds 2%.
    expect(r.capacity).not.toBeNull();
    expect(Math.abs(r.capacity! / 5 - 1)).toBeLessThan(0.04);
    expect(r.bracket[1]).toBeGreaterThan(r.capacity!);
    expect(r.search.every((p) => (p.value <= r.capacity! ? p.ok || p.value > r.capacity! : !p.ok))).toBe(true);
  });

  it('finds the smallest M/M/c pool that meets a wait SLO, as Erlang C predicts', async () => {
    const lambda = 24;
    const mu = 10;
    const wait = (c: number) => (erlangC(c, lambda / mu) / (c * mu - lambda)) * 1000;
    // c = 3 waits ~ 216 ms, c = 4 ~ 31 ms, c = 5 ~ 7 ms: an SLO of 80 ms lies between 3 and 4.
    expect(wait(3)).toBeGreaterThan(80);
    expect(wait(4)).toBeLessThan(80);
    const r = await runCapacity('<test>', queue(lambda, 16, 40_000), { vary: 'server.concurrency', slo: ['serverQueue.avg < 80ms'], find: 'smallest', curve: [1] });
    expect(r.capacity).toBe(4);
  });

  it('reports a knee on a curve that bends', () => {
    // Flat-ish up to 3, then steep: the knee is the last point before the climb.
    expect(knee([0, 1, 2, 3, 4].map((x) => ({ x, y: x <= 3 ? x : 3 + (x - 3) * 10 })))).toBe(3);
    expect(knee([0, 1, 2].map((x) => ({ x, y: x })))).toBeNull();
  });

  it('finds the knee of a falling curve where it flattens, not at the largest value probed', () => {
    // Latency against workers, y = 1/x: normalised, the gap below the chord is (1 − x′) − y′,
    // 0.429 at x = 2, 0.476 at x = 3, 0.429 at x = 4 (worked by hand), and 0 at both ends.
    const falling = [1, 2, 3, 4, 5, 6, 7, 8].map((x) => ({ x, y: 1 / x }));
    expect(knee(falling)).toBe(3);
    // Order of the points does not matter.
    expect(knee([...falling].reverse())).toBe(3);
  });

  it('names --vary when the key is missing or not a number', async () => {
    await expect(runCapacity('<test>', queue(2, 1, 100), { vary: 'workload.nope', slo: ['workflow.p(95) < 1s'] })).rejects.toThrow(/workload\.nope must be a positive number/);
  });
});

describe('capacityHtml', () => {
  const point = (value: number, p95: number | null, ok: boolean) => ({
    value, ok, workflowP50: p95, workflowP95: p95, workflowP99: p95, workflowCompletedP95: p95, successRate: 0.99, throughput: 1, serverUtilisation: value / 10, relayUtilisation: value / 20,
    serverQueueMeanMs: 1, relayQueueMeanMs: 1, amplification: 1, costPerCompletedWorkflow: 0.1,
    slo: [
      { expression: 'workflow.p(95) < 2m', value: p95, ok: p95 !== null && p95 < 120_000, unit: 'ms' as const },
      { expression: 'workflows.successRate >= 0.95', value: 0.99, ok: true, unit: 'share' as const },
    ],
  });
  const report: CapacityReport = {
    schema: 'tunnelsim.capacity/v2', tool: { name: 'tunnelsim', version: '0' }, scenario: { name: 'capacity', file: 'scenarios/capacity.yaml' },
    policy: 'sdk-default', vary: 'workload.arrivalRate', find: 'largest', slo: ['workflow.p(95) < 2m', 'workflows.successRate >= 0.95'],
    capacity: 5, bracket: [5, 5.5], knee: { value: 4, workflowP95: 100_000 }, search: [],
    curve: [point(2, 90_000, true), point(4, 100_000, true), point(5, 118_000, true), point(8, null, false)],
  };

  it('titles the page with what was searched, labels both dashed lines, draws each SLO limit and utilisation in %', async () => {
    const html = await capacityHtml(report);
    expect(capacityTitle(report)).toBe('tunnelsim capacity: the largest workload.arrivalRate meeting the SLO — scenario capacity, policy sdk-default');
    expect(html).toContain(`<h1>${capacityTitle(report).replace(/&/g, '&amp;')}</h1>`);
    expect(html).not.toContain('Capacity: capacity');
    // The labels and panel titles are SVG text.
    for (const text of ['capacity 5', 'knee 4', 'SLO &lt; 2m', 'SLO &gt;= 0.95', 'workflow.p(95) (s)', 'workflows.successRate (%)', 'pool utilisation (%)']) expect(html, text).toContain(text);
    // Utilisation is plotted in per cent: the largest point's 80 % server share gives an axis past 1.
    expect(html).toMatch(/>80</);
  });
});

describe('tunnelsim capacity', () => {
  it('exits 2 naming --vary when the key is not a number in the scenario', async () => {
    const { main } = await import('../../src/cli/main.js');
    const { vi } = await import('vitest');
    let err = '';
    const spy = vi.spyOn(process.stderr, 'write').mockImplementation((s: any) => ((err += String(s)), true));
    try {
      const code = await main(['capacity', 'scenarios/capacity.yaml', '--slo', 'workflow.p(95) < 2m', '--vary', 'workload.model']);
      expect(code).toBe(2);
      expect(err).toMatch(/^error: --vary: workload\.model must be a positive number/);
    } finally {
      spy.mockRestore();
    }
  });
});
