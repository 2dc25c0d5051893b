/**
 * compare on real simulator output: the reference scenario (scaled down) rerun gives an identical
 * report that passes the default gate; the same scenario with a 20 % slower relay path (both
 * tunnel links and relay processing) is flagged.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { compare, toComparable } from '../../src/report/compare.js';
import { compareJUnit } from '../../src/report/compare-output.js';
import { renderReportFiles } from '../../src/report/write.js';
import { runSim } from '../../src/run/sim.js';
import { parseScenario } from '../../src/scenario/load.js';
import type { Report } from '../../src/report/types.js';
import { checkJUnit } from './junit-checker.js';

const FILE = 'scenarios/thirty-call.yaml';

/** The reference scenario with fewer workflows, every relay-path latency multiplied by `slowdown`. */
function simulate(slowdown: number): Report {
  const data = parse(readFileSync(FILE, 'utf8'));
  data.workload = { ...data.workload, agents: 20, workflows: 60 };
  const scale = (d: string) => {
    const m = /^(\d+(?:\.\d+)?)(us|ms|s)$/.exec(d)!;
    return `${Number(m[1]) * slowdown}${m[2]}`;
  };
  for (const link of ['agentToRelay', 'relayToServer']) {
    const lat = data.network[link].latency;
    lat.median = scale(lat.median);
    lat.p99 = scale(lat.p99);
  }
  data.relay.processing.value = scale(data.relay.processing.value);
  return runSim(parseScenario(data, FILE));
}

const asComparable = (r: Report) => toComparable(JSON.parse(JSON.stringify(r)), FILE);

describe('compare on simulator reports', () => {
  const base = simulate(1);

  it('passes an identical rerun with every change zero', () => {
    const result = compare(asComparable(base), asComparable(simulate(1)));
    expect(result.ok).toBe(true);
    expect(result.checks.every((c) => c.change === 0 || c.change === null)).toBe(true);
  });

  it('flags a 20 % slower relay path in call latency for every policy', () => {
    const slow = simulate(1.2);
    const result = compare(asComparable(base), asComparable(slow));
    expect(result.ok).toBe(false);
    for (const p of base.policies) {
      expect(result.checks.some((c) => c.scope === p.name && c.expression.startsWith('call{tool:') && !c.ok)).toBe(true);
    }
    const median = compare(asComparable(base), asComparable(slow), ['call{policy:sdk-default}.p(50) <= +10%']);
    expect(median.ok).toBe(false);
    expect(median.checks[0].change!).toBeGreaterThan(0.1);
    expect(median.checks[0].change!).toBeLessThan(0.2 + 0.01);
    expect(checkJUnit(compareJUnit(result)).attrs.failures).toBe(String(result.failed));
  });

  it('renders the same report files twice from the same run', async () => {
    const formats = ['json', 'md', 'html', 'hdrlog'] as const;
    const a = await renderReportFiles(base, [...formats], 'r');
    const b = await renderReportFiles(simulate(1), [...formats], 'r');
    expect([...a.keys()]).toEqual([...b.keys()]);
    for (const [name, text] of a) expect(b.get(name), name).toBe(text);
  });
});
