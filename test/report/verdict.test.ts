/**
 * The verdict: ranking by the objective among the eligible policies, a winner only beyond noise,
 * the reasons a policy is not eligible, the figures that explain each result, and the verdict
 * first in every view.
 */
import { describe, expect, it } from 'vitest';
import { figureValue } from '../../src/report/figures.js';
import { renderHtml } from '../../src/report/html.js';
import { renderMarkdown } from '../../src/report/markdown.js';
import { terminalTable } from '../../src/report/terminal.js';
import type { Report } from '../../src/report/types.js';
import { verdictOf, whyLines } from '../../src/report/verdict.js';
import { fixtureReport } from './fixtures.js';

const KEY = 'cost.perCompletedWorkflow';

/** The fixture with 5 replications of the objective: pooled value + shared noise + `own[i]`. */
function replicated(own: (r: number, i: number) => number, floor = 0.9): Report {
  const report = fixtureReport();
  report.replications = 5;
  report.scenario.verdict.completionFloor = floor;
  report.policies.forEach((p, i) => {
    const v = figureValue(p, KEY)!;
    const values = [0, 1, 2, 3, 4].map((r) => v + 0.01 * Math.sin(r + 1) + own(r, i));
    p.replicates = { [KEY]: values };
    p.intervals = { [KEY]: { n: 5, mean: v, halfWidth: 0.002, lo: v - 0.002, hi: v + 0.002 } };
  });
  return report;
}

const costs = (r: Report) => r.policies.map((p) => p.cost.perCompletedWorkflow!);

describe('verdictOf', () => {
  it('names the cheapest eligible policy when its paired margin excludes 0, with the margin', () => {
    const report = replicated(() => 0);
    const v = verdictOf(report);
    const order = [...report.policies].sort((a, b) => a.cost.perCompletedWorkflow! - b.cost.perCompletedWorkflow!).map((p) => p.name);
    expect(v.ranking.map((e) => e.policy)).toEqual(order);
    expect(v.winner).toBe(order[0]);
    expect(v.runnerUp).toBe(order[1]);
    // The shared noise cancels in the pairs: the margin is the pooled gap exactly.
    const gap = costs(report)[report.policies.findIndex((p) => p.name === order[1])] - costs(report)[report.policies.findIndex((p) => p.name === order[0])];
    expect(v.margin!.significant).toBe(true);
    expect(Math.abs(v.margin!.mean - gap)).toBeLessThan(1e-5);
    expect(v.summary).toMatch(new RegExp(`^${order[0]} wins on spend per completed workflow: .*better than ${order[1]} by \\+\\$`));
  });

  it('names no winner when the paired difference includes 0', () => {
    const gap = Math.max(...costs(fixtureReport())) - Math.min(...costs(fixtureReport()));
    const v = verdictOf(replicated((r, i) => 20 * gap * Math.sin(5 * r + 3 * i)));
    expect(v.winner).toBeNull();
    expect(v.margin!.significant).toBe(false);
    expect(v.summary).toMatch(/^No significant difference on spend per completed workflow between/);
  });

  it('names no winner with one replication', () => {
    const report = fixtureReport();
    report.scenario.verdict.completionFloor = 0.9;
    const v = verdictOf(report);
    expect(v.winner).toBeNull();
    expect(v.summary).toMatch(/one replication gives no interval, so no winner is named/);
  });

  it('leaves out a policy that fails a threshold or the completion floor, saying why', () => {
    const report = replicated(() => 0);
    const cheapest = report.policies.reduce((a, b) => (a.cost.perCompletedWorkflow! < b.cost.perCompletedWorkflow! ? a : b));
    report.thresholds = [{ expression: 'workflow.p(95) < 1s', policy: cheapest.name, value: 2000, ok: false }];
    const v = verdictOf(report);
    const entry = v.ranking.find((e) => e.policy === cheapest.name)!;
    expect(entry.eligible).toBe(false);
    expect(entry.reasons).toEqual(['fails workflow.p(95) < 1s']);
    expect(v.ranking.at(-1)!.policy).toBe(cheapest.name);
    expect(v.winner).not.toBe(cheapest.name);
    // A floor above every policy's completion: nobody is eligible, nobody wins.
    const none = verdictOf(replicated(() => 0, 0.999));
    expect(none.winner).toBeNull();
    expect(none.ranking.every((e) => e.reasons.some((r) => /below the 99\.9% floor/.test(r)))).toBe(true);
    expect(none.summary).toMatch(/^No policy meets the constraints/);
  });

  it('names the only eligible policy as such', () => {
    const report = replicated(() => 0);
    const [keep, ...rest] = report.policies;
    report.thresholds = rest.map((p) => ({ expression: 'calls.amplification < 1', policy: p.name, value: 1.1, ok: false }));
    const v = verdictOf(report);
    expect(v.winner).toBe(keep.name);
    expect(v.margin).toBeNull();
    expect(v.summary).toMatch(new RegExp(`^${keep.name} is the only policy that meets the constraints`));
  });

  it('explains each result: failures by reason, and the chain from timeouts to dollars', () => {
    const report = replicated(() => 0);
    const p = report.policies[0];
    const e = verdictOf(report).ranking.find((x) => x.policy === p.name)!;
    const [failed, chain, spent] = whyLines(e);
    expect(failed).toBe(`${p.workflows.failed} of ${p.workflows.started} workflows failed: timeout ${p.workflows.failed}`);
    expect(chain).toMatch(new RegExp(`^${p.calls.timeouts} timeouts → ${p.calls.agentRetries} agent-layer \\+ ${p.calls.transportRetries.toLocaleString('en-US')} transport retries → .* tokens re-billed in retry turns → \\$`));
    expect(spent).toMatch(/spent on failed workflows$/);
  });

  it('opens every view', async () => {
    const report = replicated(() => 0);
    report.verdict = verdictOf(report);
    const term = terminalTable(report);
    const md = renderMarkdown(report, [], 'r');
    const html = renderHtml(report, []);
    expect(term.indexOf('verdict: ')).toBeLessThan(term.indexOf('workflows completed'));
    expect(term).toContain(report.verdict.summary);
    expect(md.indexOf('## Verdict')).toBeLessThan(md.indexOf('## Figures'));
    expect(md).toContain(`**${report.verdict.summary.replace(/\|/g, '\\|')}**`);
    expect(html.indexOf('<section class="verdict" id="verdict">')).toBeLessThan(html.indexOf('<table class="policies">'));
    expect(html).toContain('<tr class="winner">');
  });
});
