/**
 * Views of a compare result: a Markdown table of changes (readable in a terminal, and pasted as is
 * into a CI job summary) and JUnit XML, which every CI system renders as test results.
 */
import { formatChange, type CompareResult } from './compare.js';
import { formatValue } from './resolve.js';

/** One row per check: status, scope, check, baseline, current, change. */
export function compareTable(result: CompareResult): string {
  const header = ['', 'scope', 'check', 'baseline', 'current', 'change'];
  const rows = result.checks.map((c) => [
    c.skipped !== undefined ? (c.ok ? 'skip' : 'FAIL') : c.ok ? 'ok' : 'FAIL',
    c.scope,
    c.expression,
    formatValue(c.baseline, c.unit),
    formatValue(c.current, c.unit),
    c.change === null ? '—' : formatChange(c.change),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => `| ${cells.map((s, i) => s.padEnd(widths[i])).join(' | ')} |`;
  const rule = `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`;
  const skipped = result.checks.filter((c) => c.skipped !== undefined && c.ok);
  const summary = result.ok
    ? `${result.checks.length - skipped.length} checks passed${skipped.length ? `, ${skipped.length} skipped` : ''}`
    : `${result.failed} of ${result.checks.length} checks failed`;
  const why = skipped.map((c) => `skipped: ${c.expression}: ${c.skipped}`);
  return [line(header), rule, ...rows.map(line), '', ...why, summary, ''].join('\n');
}

/**
 * JUnit XML: one testsuite per scope (policy or bench), one testcase per check. `time` is 0: the
 * checks take no time worth reporting, and some readers require the attribute.
 */
export function compareJUnit(result: CompareResult, name = 'tunnelsim compare'): string {
  const scopes = [...new Set(result.checks.map((c) => c.scope))];
  const out = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="${xml(name)}" tests="${result.checks.length}" failures="${result.failed}" errors="0">`,
  ];
  for (const scope of scopes) {
    const checks = result.checks.filter((c) => c.scope === scope);
    const failures = checks.filter((c) => !c.ok).length;
    const skips = checks.filter((c) => c.ok && c.skipped !== undefined).length;
    out.push(`  <testsuite name="${xml(scope)}" tests="${checks.length}" failures="${failures}" errors="0" skipped="${skips}" time="0">`);
    for (const c of checks) {
      const open = `    <testcase classname="tunnelsim.compare.${xml(scope)}" name="${xml(c.expression)}" time="0"`;
      if (c.ok && c.skipped !== undefined) {
        out.push(`${open}>`, `      <skipped message="${xml(c.skipped)}"/>`, '    </testcase>');
        continue;
      }
      if (c.ok) {
        out.push(`${open}/>`);
        continue;
      }
      const measured = `measured ${formatValue(c.current, c.unit)} vs baseline ${formatValue(c.baseline, c.unit)}`;
      out.push(`${open}>`);
      out.push(`      <failure type="regression" message="${xml(c.message)}">${xml(`${measured}\n${c.message}`)}</failure>`);
      out.push('    </testcase>');
    }
    out.push('  </testsuite>');
  }
  out.push('</testsuites>', '');
  return out.join('\n');
}

function xml(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}
