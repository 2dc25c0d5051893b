/**
 * The README never lies: its tour table is what `tunnelsim run scenarios/thirty-call.yaml` prints
 * today. When the model changes the figures, this test fails until the README says the new ones.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadScenario } from '../src/scenario/load.js';
import { runSim } from '../src/run/sim.js';
import { reportBlocks } from '../src/report/blocks.js';
import { terminalTable } from '../src/report/terminal.js';
import { applyThresholds } from '../src/cli/report-io.js';

const trimLines = (s: string) =>
  s
    .split('\n')
    .map((l) => l.trimEnd())
    .join('\n')
    .trim();

describe('README.md', () => {
  it('shows the reference scenario’s table as the simulator prints it now', () => {
    const readme = readFileSync('README.md', 'utf8');
    const block = /```\n(thirty-call — sim, seed 42\n[\s\S]*?)```/.exec(readme);
    expect(block, 'the tour table block').not.toBeNull();
    const report = runSim(loadScenario('scenarios/thirty-call.yaml'));
    applyThresholds(report, report.scenario.thresholds);
    const printed = [terminalTable(report), ...report.thresholds.map((t) => `${t.ok ? 'ok  ' : 'FAIL'} ${t.policy}: ${t.message ?? t.expression}`), ...reportBlocks(report)].join('\n');
    expect(trimLines(block![1])).toBe(trimLines(printed));
  });
});
