import { describe, expect, it } from 'vitest';
import { TunnelsimError } from '../../src/errors.js';
import { BENCH_SCHEMA, type BenchFile } from '../../src/bench/types.js';
import { DEFAULT_REPORT_CHECKS, compare, toComparable, type Comparable } from '../../src/report/compare.js';
import { compareJUnit, compareTable } from '../../src/report/compare-output.js';
import { fixtureReport, slowedPolicies } from './fixtures.js';
import { checkJUnit } from './junit-checker.js';

const asReport = (r: ReturnType<typeof fixtureReport>): Comparable => toComparable(JSON.parse(JSON.stringify(r)), 'r.json');

function bench(ratio: number, median = 100): BenchFile {
  return {
    schema: BENCH_SCHEMA,
    tool: { name: 'tunnelsim', version: '0.1.0' },
    machine: { cpus: 4, model: 'test cpu', node: 'v20', platform: 'linux', arch: 'x64' },
    quick: true,
    results: { 'hdr.recordValue': { median, unit: 'ns/op', samples: 100 } },
    ratios: { 'hdr.recordVsPush': ratio },
  };
}

describe('compare', () => {
  it('passes an identical rerun with the default checks', () => {
    const result = compare(asReport(fixtureReport()), asReport(fixtureReport()));
    expect(result.ok).toBe(true);
    expect(result.checks.length).toBeGreaterThanOrEqual(fixtureReport().policies.length * DEFAULT_REPORT_CHECKS.length);
    // Censored in both (too many failed for the percentile) has no change to measure.
    expect(result.checks.every((c) => c.change === 0 || (c.baseline === null && c.current === null))).toBe(true);
  });

  it('flags a 20 % slower system on workflow and call latency percentiles', () => {
    const result = compare(asReport(fixtureReport()), asReport(fixtureReport({ policies: slowedPolicies(1.2) })));
    expect(result.ok).toBe(false);
    const failed = result.checks.filter((c) => !c.ok);
    for (const p of fixtureReport().policies) {
      expect(failed.some((c) => c.scope === p.name && c.expression === 'workflow.p(95) <= +10%')).toBe(true);
      expect(failed.some((c) => c.scope === p.name && c.expression === 'workflow.completed.p(95) <= +10%')).toBe(true);
      expect(failed.some((c) => c.scope === p.name && c.expression === 'call{tool:risk.score}.p(99) <= +10%')).toBe(true);
    }
    const p99 = failed.find((c) => c.expression === 'workflow.p(95) <= +10%')!;
    // HDR buckets are 0.1 % wide, so the measured change is 20 % ± 0.3 %.
    expect(Math.abs(p99.change! - 0.2)).toBeLessThan(0.003);
    // Amplification and cost did not change, so those checks still pass.
    expect(result.checks.filter((c) => c.expression.startsWith('calls.amplification')).every((c) => c.ok)).toBe(true);
  });

  it('tests absolute limits on the current file and relative ones on the change', () => {
    const base = asReport(fixtureReport());
    const cur = asReport(fixtureReport({ policies: slowedPolicies(1.2) }));
    const result = compare(base, cur, ['workflow{policy:seed-guidance}.p(99) < 1h', 'workflow{policy:seed-guidance}.p(99) <= +25%']);
    expect(result.checks.map((c) => [c.scope, c.ok])).toEqual([['seed-guidance', true], ['seed-guidance', true]]);
    const tight = compare(base, cur, ['workflow{policy:seed-guidance}.p(99) <= +15%']);
    expect(tight.ok).toBe(false);
  });

  it('fails when a baseline policy is missing from the current report', () => {
    const cur = fixtureReport();
    cur.policies.pop();
    const result = compare(asReport(fixtureReport()), asReport(cur));
    expect(result.checks.some((c) => c.expression === 'policy present' && !c.ok)).toBe(true);
  });

  it('compares bench files by ratio name and ignores machine-bound medians by default', () => {
    expect(compare(toComparable(bench(2.0, 100), 'b'), toComparable(bench(1.9, 300), 'c')).ok).toBe(true);
    const dropped = compare(toComparable(bench(2.0), 'b'), toComparable(bench(0.9), 'c'));
    expect(dropped.ok).toBe(false);
    expect(dropped.checks[0].expression).toBe('ratios.hdr.recordVsPush >= -50%');
    const medians = compare(toComparable(bench(2, 100), 'b'), toComparable(bench(2, 130), 'c'), ['results.*.median <= +20%']);
    expect(medians.checks.map((c) => [c.expression, c.ok])).toEqual([['results.hdr.recordValue.median <= +20%', false]]);
  });

  it('rejects unknown schemas, mixed kinds and typos in given checks', () => {
    expect(() => toComparable({ schema: 'nope' }, 'x.json')).toThrow(TunnelsimError);
    expect(() => compare(asReport(fixtureReport()), toComparable(bench(1), 'b'))).toThrow(/cannot compare/);
    try {
      compare(asReport(fixtureReport()), asReport(fixtureReport()), ['calls.amplificaton <= +5%']);
      expect.unreachable();
    } catch (e) {
      expect((e as TunnelsimError).line()).toMatch(/^--threshold\[0\]: /);
    }
  });
});

describe('compare across populations and schemas', () => {
  it('refuses a v1 report, saying why its figures do not compare', () => {
    const v1 = { ...JSON.parse(JSON.stringify(fixtureReport())), schema: 'tunnelsim.report/v1' };
    try {
      toComparable(v1, 'baselines/old.json');
      expect.unreachable();
    } catch (e) {
      const err = e as TunnelsimError;
      expect(err.exitCode).toBe(2);
      expect(err.line()).toMatch(/^baselines\/old\.json: schema: is a tunnelsim\.report\/v1 report, which this version \(tunnelsim\.report\/v2\) does not compare: its workflow and call latency count completed ones only.*Regenerate it/);
    }
  });

  it('fails a check that is censored in the current report only, and passes one censored in both', () => {
    // The fixture's sdk-default fails 9 of 200 workflows (4.5 %): p95 finishes, p99 does not.
    const base = fixtureReport();
    const cur = fixtureReport({ policies: [{ name: 'sdk-default', failed: 20 }] });
    const [p95, p99] = compare(asReport(base), asReport(cur), ['workflow.p(95) <= +10%', 'workflow.p(99) <= +10%']).checks;
    expect(p95.ok).toBe(false);
    expect(p95.message).toMatch(/censored in current/);
    expect(p95.message).toMatch(/→ —, 10% of workflows failed/);
    expect(p99.ok).toBe(true);
    expect(p99.message).toMatch(/censored in both files/);
    // Absolute: a censored current value fails.
    expect(compare(asReport(base), asReport(cur), ['workflow.p(95) < 1h']).ok).toBe(false);
  });

  it('skips a bench anchor the current run could not measure, saying why, unless a --threshold names it', () => {
    const base = bench(2);
    base.ratios['relay.relayVsNginx'] = 0.45;
    const cur = bench(2);
    cur.skipped = { 'relay.relayVsNginx': 'nginx not found at /usr/sbin/nginx (apt-get install nginx)' };
    const plain = compare(toComparable(base, 'b'), toComparable(cur, 'c'));
    expect(plain.ok).toBe(true);
    const skipped = plain.checks.find((c) => c.expression === 'ratios.relay.relayVsNginx >= -50%')!;
    expect(skipped).toMatchObject({ ok: true, skipped: 'nginx not found at /usr/sbin/nginx (apt-get install nginx)' });
    const table = compareTable(plain);
    expect(table).toMatch(/^\| skip +\| bench +\| ratios\.relay\.relayVsNginx >= -50%/m);
    expect(table).toContain('skipped: ratios.relay.relayVsNginx >= -50%: nginx not found at /usr/sbin/nginx (apt-get install nginx)');
    expect(table).toContain('1 checks passed, 1 skipped');
    expect(checkJUnit(compareJUnit(plain)).children[0].attrs.skipped).toBe('1');
    // Asked for by name: its absence fails the gate.
    const asked = compare(toComparable(base, 'b'), toComparable(cur, 'c'), ['ratios.relay.relayVsNginx >= -50%']);
    expect(asked.ok).toBe(false);
    expect(asked.checks[0].message).toMatch(/skipped: nginx not found/);
    // A leg that vanished without a reason still fails.
    delete cur.skipped;
    expect(compare(toComparable(base, 'b'), toComparable(cur, 'c')).ok).toBe(false);
  });
});

describe('compareJUnit', () => {
  it('writes JUnit XML whose counts match, with measured values in each failure', () => {
    const result = compare(asReport(fixtureReport()), asReport(fixtureReport({ policies: slowedPolicies(1.2) })));
    const root = checkJUnit(compareJUnit(result));
    expect(Number(root.attrs.tests)).toBe(result.checks.length);
    expect(Number(root.attrs.failures)).toBe(result.failed);
    const failure = root.children.flatMap((s) => s.children).flatMap((c) => c.children).find((f) => f.name === 'failure')!;
    expect(failure.text).toMatch(/measured .* vs baseline /);
  });

  it('escapes names so the XML stays well formed', () => {
    const base = fixtureReport({ policies: [{ name: 'a<b>&"c"' }] });
    const xml = compareJUnit(compare(asReport(base), asReport(base)));
    expect(checkJUnit(xml).children[0].attrs.name).toBe('a<b>&"c"');
  });

  it('is rejected by the checker when counts disagree', () => {
    const xml = compareJUnit(compare(asReport(fixtureReport()), asReport(fixtureReport())));
    expect(() => checkJUnit(xml.replace(/tests="(\d+)"/, (_, n) => `tests="${Number(n) + 1}"`))).toThrow(/tests=/);
  });
});

describe('compareTable', () => {
  it('lists every check with its status and change', () => {
    const result = compare(asReport(fixtureReport()), asReport(fixtureReport({ policies: slowedPolicies(1.2) })));
    const lines = compareTable(result).split('\n');
    expect(lines.filter((l) => l.startsWith('| FAIL')).length).toBe(result.failed);
    expect(lines.filter((l) => l.startsWith('| ok')).length).toBe(result.checks.length - result.failed);
    expect(lines.some((l) => l.includes('+20'))).toBe(true);
  });
});
