/** The compare summary's Markdown: verdict, the checks table, and charts of the figures that moved. */
import { describe, expect, it } from 'vitest';
import type { CompareCheck, CompareResult } from '../../src/report/compare.js';
import { bar, compareMarkdown } from '../../src/report/compare-markdown.js';

function check(scope: string, expression: string, baseline: number, current: number, ok = true): CompareCheck {
  return { scope, expression, baseline, current, change: (current - baseline) / Math.abs(baseline), unit: 'ms', ok, message: '' };
}

function result(checks: CompareCheck[]): CompareResult {
  const failed = checks.filter((c) => !c.ok).length;
  return { kind: 'report', checks, failed, ok: failed === 0 };
}

describe('compareMarkdown', () => {
  it('draws bars in proportion, to an eighth of a character', () => {
    expect(bar(10, 10, 40)).toBe('█'.repeat(40));
    expect(bar(5, 10, 40)).toBe('█'.repeat(20));
    expect(bar(1, 16, 2)).toBe('▏');
    expect(bar(0, 10, 40)).toBe('');
  });

  it('charts each figure that moved by at least 1 % or failed, grouped across policies', () => {
    const md = compareMarkdown(
      result([check('a', 'workflow.p(95) <= +10%', 1000, 1200, false), check('b', 'workflow.p(95) <= +10%', 1000, 1050), check('a', 'call{tool:x}.p(99) <= +10%', 100, 100.5)]),
      { title: 'tunnelsim: t' },
    );
    expect(md).toContain('**Regression**: 1 of 3 checks failed.');
    const charts = md.split('```text\n').slice(1);
    expect(charts).toHaveLength(1);
    expect(charts[0]).toMatch(/^workflow\.p\(95\)\na {2}baseline █{33}▍? +1 s\n {3}current {2}█{40} 1\.2 s {2}\+20% {2}FAIL\nb {2}baseline/);
  });

  it('says so when nothing moved', () => {
    const md = compareMarkdown(result([check('a', 'workflow.p(95) <= +10%', 1000, 1001)]));
    expect(md).toContain('**No regression**: 1 checks passed.');
    expect(md).toContain('No checked figure moved by 1% or more.');
    expect(() => compareMarkdown(result([]), { barWidth: 2 })).toThrow(RangeError);
  });
});
