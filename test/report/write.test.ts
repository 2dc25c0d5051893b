import { mkdtemp, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CHARTS } from '../../src/report/charts.js';
import { writeReports } from '../../src/report/write.js';
import { fixtureReport } from './fixtures.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tunnelsim-write-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function contents(d: string): Promise<Record<string, string>> {
  const names = (await readdir(d)).sort();
  return Object.fromEntries(await Promise.all(names.map(async (n) => [n, await readFile(join(d, n), 'utf8')] as const)));
}

describe('writeReports', () => {
  it('writes json, md with one SVG per chart, html and one hdrlog per policy', async () => {
    const report = fixtureReport();
    const written = await writeReports(report, { out: dir, formats: ['json', 'md', 'html', 'hdrlog'], basename: 'run' });
    const names = (await readdir(dir)).sort();
    expect(names).toEqual(written.map((p) => p.slice(dir.length + 1)).sort());
    expect(names).toEqual(
      ['run.json', 'run.md', 'run.html', ...CHARTS.map((c) => `run-${c.id}.svg`), ...report.policies.map((p) => `run-${p.name}.hlog`)].sort(),
    );
    expect(JSON.parse(await readFile(join(dir, 'run.json'), 'utf8'))).toEqual(report);
    const md = await readFile(join(dir, 'run.md'), 'utf8');
    for (const c of CHARTS) expect(md).toContain(`](run-${c.id}.svg)`);
  });

  it('writes byte-identical files for the same report', async () => {
    const a = join(dir, 'a');
    const b = join(dir, 'b');
    await writeReports(fixtureReport(), { out: a, formats: ['json', 'md', 'html', 'hdrlog'] });
    await writeReports(fixtureReport(), { out: b, formats: ['json', 'md', 'html', 'hdrlog'] });
    const [ca, cb] = [await contents(a), await contents(b)];
    expect(Object.keys(ca).length).toBeGreaterThan(5);
    expect(ca).toEqual(cb);
  });

  it('leaves the directory untouched when rendering fails', async () => {
    await writeFile(join(dir, 'report.json'), 'old');
    const report = fixtureReport();
    report.policies[1].histograms['workflow.completed'] = 'not a histogram';
    await expect(writeReports(report, { out: dir, formats: ['json', 'md', 'html'] })).rejects.toThrow();
    expect(await contents(dir)).toEqual({ 'report.json': 'old' });
  });

  it('writes nothing and leaves no temporary files when a target cannot be replaced', async () => {
    await mkdir(join(dir, 'report.html'));
    await expect(writeReports(fixtureReport(), { out: dir, formats: ['json', 'html'] })).rejects.toThrow(/directory is in the way/);
    expect(await readdir(dir)).toEqual(['report.html']);
  });

  it('rejects an unknown format and a basename with a path', async () => {
    await expect(writeReports(fixtureReport(), { out: dir, formats: ['pdf' as 'json'] })).rejects.toThrow(RangeError);
    await expect(writeReports(fixtureReport(), { out: dir, basename: '../x' })).rejects.toThrow(RangeError);
    expect(await readdir(dir)).toEqual([]);
  });
});
