import { describe, expect, it } from 'vitest';
import { hdrSuite } from '../../src/bench/hdr.js';
import { runBench } from '../../src/bench/runner.js';
import { BENCH_SCHEMA, type BenchSuite } from '../../src/bench/types.js';
import { compare, toComparable } from '../../src/report/compare.js';

const fake = (name: string, ratio: number): BenchSuite => ({
  name,
  run: async () => ({ results: { task: { median: 10, unit: 'ns/op', samples: 5 } }, ratios: { speedup: ratio } }),
});

describe('runBench', () => {
  it('prefixes results and ratios with the suite name and describes the machine', async () => {
    const file = await runBench([fake('a', 2), fake('b', 3)]);
    expect(file.schema).toBe(BENCH_SCHEMA);
    expect(Object.keys(file.results)).toEqual(['a.task', 'b.task']);
    expect(file.ratios).toEqual({ 'a.speedup': 2, 'b.speedup': 3 });
    expect(file.machine.cpus).toBeGreaterThan(0);
    expect(file.machine.node).toBe(process.version);
  });

  it('runs only the named suites and rejects unknown names', async () => {
    expect(Object.keys((await runBench([fake('a', 2), fake('b', 3)], { only: ['b'] })).ratios)).toEqual(['b.speedup']);
    await expect(runBench([fake('a', 2)], { only: ['zzz'] })).rejects.toThrow(RangeError);
  });

  it('writes a file that compare reads and gates by ratio', async () => {
    const base = await runBench([fake('a', 2)]);
    const worse = await runBench([fake('a', 0.9)]);
    expect(compare(toComparable(base, 'b'), toComparable(base, 'c')).ok).toBe(true);
    expect(compare(toComparable(base, 'b'), toComparable(worse, 'c')).ok).toBe(false);
  });

  it('records a skipped anchor under the suite’s name, and compare skips its ratio saying why', async () => {
    const withAnchor: BenchSuite = { name: 'relay', run: async () => ({ results: {}, ratios: { relayVsDirect: 0.6, relayVsNginx: 0.45 } }) };
    const without: BenchSuite = { name: 'relay', run: async () => ({ results: {}, ratios: { relayVsDirect: 0.6 }, skipped: { relayVsNginx: 'nginx not found at /usr/sbin/nginx' } }) };
    const cur = await runBench([without]);
    expect(cur.skipped).toEqual({ 'relay.relayVsNginx': 'nginx not found at /usr/sbin/nginx' });
    const result = compare(toComparable(await runBench([withAnchor]), 'baselines/bench.json'), toComparable(cur, 'bench.json'));
    expect(result.ok).toBe(true);
    expect(result.checks.find((c) => c.expression.startsWith('ratios.relay.relayVsNginx'))!.message).toBe('ratios.relay.relayVsNginx >= -50%: skipped: nginx not found at /usr/sbin/nginx');
  });
});

describe('hdrSuite', () => {
  it('measures recordValue and the push baseline in ns/op with their ratio', async () => {
    const r = await hdrSuite.run({ quick: true });
    expect(Object.keys(r.results).sort()).toEqual(['fastRecordValue', 'float64Push', 'recordValue']);
    for (const res of Object.values(r.results)) {
      expect(res.unit).toBe('ns/op');
      expect(res.median).toBeGreaterThan(0);
      expect(res.samples).toBeGreaterThan(0);
    }
    expect(r.ratios.recordVsPush).toBeCloseTo(r.results.float64Push.median / r.results.recordValue.median, 10);
    expect(r.ratios.fastRecordVsPush).toBeCloseTo(r.results.float64Push.median / r.results.fastRecordValue.median, 10);
  });
});

describe('SUITE_NAMES', () => {
  it('names the registered suites in their order', async () => {
    const { SUITE_NAMES } = await import('../../src/bench/suite-names.js');
    const { suites } = await import('../../src/bench/suites.js');
    expect([...SUITE_NAMES]).toEqual(suites.map((s) => s.name));
  });
});
