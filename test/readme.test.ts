/**
 * The README never lies: its tour is what `tunnelsim run scenarios/thirty-call.yaml` prints today
 * (verdict and table). When the model changes the figures, this test fails until the README says
 * the new ones. The same run checks what the reference must show: seed guidance's workflow p95
 * gate fails (it completes too few), no ★ goes to a latency figure a policy reached by failing,
 * and the verdict names a winner only with a significant margin.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { reportBlocks } from '../src/report/blocks.js';
import { applyThresholds } from '../src/cli/report-io.js';
import { FIGURES, figureValue } from '../src/report/figures.js';
import { policyTable } from '../src/report/table.js';
import { terminalTable } from '../src/report/terminal.js';
import { runSim } from '../src/run/sim.js';
import { loadScenario } from '../src/scenario/load.js';

const trimLines = (s: string) =>
  s
    .split('\n')
    .map((l) => l.trimEnd())
    .join('\n')
    .trim();

describe('README.md and the reference scenario', () => {
  const report = runSim(loadScenario('scenarios/thirty-call.yaml'));
  applyThresholds(report, report.scenario.thresholds);

  it('shows the reference scenario’s verdict and table as the simulator prints them now', () => {
    const readme = readFileSync('README.md', 'utf8');
    const block = /```\n(thirty-call — sim, seed 42[\s\S]*?)```/.exec(readme);
    expect(block, 'the tour block').not.toBeNull();
    const printed = [terminalTable(report), ...report.thresholds.map((t) => `${t.ok ? 'ok  ' : 'FAIL'} ${t.policy}: ${t.message ?? t.expression}`), ...reportBlocks(report)].join('\n');
    expect(trimLines(block![1])).toBe(trimLines(printed));
  });

  it('fails seed guidance’s workflow p95 gate: too many of its workflows fail for a p95 to exist', () => {
    const seed = report.policies.find((p) => p.name === 'seed-guidance')!;
    expect(seed.workflows.failedRate!).toBeGreaterThan(0.05);
    const gate = report.thresholds.find((t) => t.policy === 'seed-guidance' && t.expression.startsWith('workflow.p(95)'))!;
    expect(gate.ok).toBe(false);
    expect(gate.value).toBeNull();
  });

  it('gives no ★ on a latency row to a policy whose figure is censored, and ★ only to the best pooled value', () => {
    const table = policyTable(report);
    for (const row of table.rows) {
      const f = FIGURES.find((x) => x.key === row.key)!;
      for (const i of row.best) {
        const v = figureValue(report.policies[i], f.key);
        expect(v, row.label).not.toBeNull();
        const others = report.policies.map((p) => figureValue(p, f.key)).filter((x): x is number => x !== null);
        expect(v, row.label).toBe(f.better === 'lower' ? Math.min(...others) : Math.max(...others));
      }
      if (row.best.length) expect(f.better, row.label).toBeDefined();
    }
    // Seed guidance completes the fewest workflows: its p95 and p99 cannot win.
    for (const key of ['workflow.p(95)', 'workflow.p(99)']) expect(table.rows.find((r) => r.key === key)!.best).not.toContain(2);
  });

  it('names a winner only with a significant margin, or as the only eligible policy', () => {
    const v = report.verdict!;
    const eligible = v.ranking.filter((e) => e.eligible);
    if (v.winner !== null) expect(eligible.length === 1 || v.margin?.significant).toBe(true);
    if (eligible.length >= 2 && !v.margin?.significant) expect(v.winner).toBeNull();
    expect(v.replications).toBeGreaterThanOrEqual(2);
  });
});
