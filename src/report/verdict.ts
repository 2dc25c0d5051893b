/**
 * The verdict a report opens with. The objective (default: spend per completed workflow, lower is
 * better) is optimised subject to the scenario's thresholds and a completion floor: a policy that
 * fails a threshold or completes too few workflows is not eligible, whatever it costs. The eligible
 * ones are ranked by the objective's pooled value; the first is named the winner only when its
 * paired difference with every other eligible policy (common random numbers, replication by
 * replication) has a 95 % interval that excludes 0 — or when it alone is eligible. Each entry
 * carries the figures that explain it: failure reasons, and the cost chain from timeouts to
 * retries by layer to tokens re-billed in agent-layer retry turns to dollars.
 */
import { FIGURES, figureTarget, figureValue, formatFigure, formatHalfWidth, formatShare, type FigureUnit } from './figures.js';
import { significantlyBetter } from './rank.js';
import { measurePolicy } from './resolve.js';
import { pairedDifference } from './stats.js';
import type { PolicyReport, Report, Verdict, VerdictEntry, VerdictWhy } from './types.js';

/** The objective's label and display unit: a figure's when it is one, else its threshold name. */
export function objectiveOf(report: Report): { key: string; label: string; unit: FigureUnit; maximize: boolean } {
  const { objective, maximize } = report.scenario.verdict;
  const f = FIGURES.find((x) => x.key === objective);
  if (f) return { key: objective, label: f.label, unit: f.unit, maximize };
  const p = report.policies[0];
  const unit = p ? measurePolicy(p, figureTarget(objective)).unit : 'plain';
  return { key: objective, label: objective, unit: unit === 'plain' ? 'rate' : unit, maximize };
}

function whyOf(p: PolicyReport): VerdictWhy {
  return {
    started: p.workflows.started,
    completed: p.workflows.completed,
    successRate: p.workflows.successRate,
    failedByReason: Object.entries(p.workflows.failedByReason).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)),
    timeouts: p.calls.timeouts,
    agentRetries: p.calls.agentRetries,
    transportRetries: p.calls.transportRetries,
    rejected: p.calls.rejected,
    retryTurnTokens: p.tokens.retryTurns,
    retryTurnCost: p.cost.retryTurns,
    failedWorkflowCost: p.cost.failedWorkflows,
    totalCost: p.cost.total,
  };
}

export function verdictOf(report: Report): Verdict {
  const { key, label, unit, maximize } = objectiveOf(report);
  const floor = report.scenario.verdict.completionFloor;
  const better = maximize ? 'higher' : 'lower';
  const entries: (VerdictEntry & { p: PolicyReport })[] = report.policies.map((p) => {
    const value = figureValue(p, key);
    const reasons: string[] = [];
    const rate = p.workflows.successRate;
    if (rate === null || rate < floor) reasons.push(`completes ${rate === null ? 'no workflow' : formatShare(rate)}, below the ${formatShare(floor)} floor`);
    for (const t of report.thresholds) if (t.policy === p.name && !t.ok) reasons.push(`fails ${t.expression}`);
    if (value === null) reasons.push(`has no ${label}`);
    return { p, policy: p.name, value, interval: p.intervals?.[key] ?? null, eligible: reasons.length === 0, reasons, why: whyOf(p) };
  });
  const order = (a: { value: number | null }, b: { value: number | null }) => {
    if (a.value === null || b.value === null) return (a.value === null ? 1 : 0) - (b.value === null ? 1 : 0);
    return maximize ? b.value - a.value : a.value - b.value;
  };
  const eligible = entries.filter((e) => e.eligible).sort(order);
  const others = entries.filter((e) => !e.eligible).sort(order);
  const ranking = [...eligible, ...others];
  const replications = report.replications;
  let winner: string | null = null;
  let runnerUp: string | null = null;
  let margin: Verdict['margin'] = null;
  let summary: string;
  const value = (e: VerdictEntry) => entryValue(e, unit);
  if (eligible.length === 0) {
    const most = [...entries].sort((a, b) => (b.p.workflows.successRate ?? -1) - (a.p.workflows.successRate ?? -1))[0];
    const best = most ? ` The most completed: ${most.policy}, ${formatFigure(most.p.workflows.successRate, 'share')}${most.p.intervals?.['workflows.successRate'] ? ` ${formatHalfWidth(most.p.intervals['workflows.successRate'], 'share')}` : ''}.` : '';
    summary = `No policy meets the constraints, so none is recommended.${best}`;
  } else if (eligible.length === 1) {
    winner = eligible[0].policy;
    summary = `${winner} is the only policy that meets the constraints: ${label} ${value(eligible[0])}.`;
  } else {
    const [first, second] = eligible;
    runnerUp = second.policy;
    margin = pairedDifference(first.p.replicates?.[key] ?? [], second.p.replicates?.[key] ?? []);
    const beatsAll = eligible.every((e) => e === first || significantlyBetter(first.p, e.p, key, better));
    // The margin from the leader's side: positive when it is better.
    const m = margin && (maximize ? { mean: -margin.mean, lo: -margin.hi, hi: -margin.lo } : margin);
    const gap = m ? `by ${signed(m.mean, unit)} (95% interval ${signed(m.lo, unit)} to ${signed(m.hi, unit)})` : '';
    if (replications < 2) {
      summary = `${first.policy} has the ${maximize ? 'highest' : 'lowest'} ${label} (${value(first)}, next ${second.policy} ${value(second)}), but one replication gives no interval, so no winner is named; set replications: 5 or more.`;
    } else if (beatsAll) {
      winner = first.policy;
      summary = `${winner} wins on ${label}: ${value(first)}, better than ${second.policy} ${gap}, paired over ${replications} replications.`;
    } else {
      summary = `No significant difference on ${label} between ${first.policy} (${value(first)}) and ${second.policy} (${value(second)}): ${first.policy} leads ${gap}, an interval that includes 0 over ${replications} replications; choose on other figures.`;
    }
  }
  return {
    objective: key,
    label,
    maximize,
    completionFloor: floor,
    replications,
    ranking: ranking.map(({ p: _p, ...e }) => e),
    winner,
    runnerUp,
    margin,
    summary,
  };
}

/** What failed, the cost chain and the spend on failed workflows of one entry: three lines. */
export function whyLines(e: VerdictEntry): string[] {
  const w = e.why;
  const n = (v: number) => v.toLocaleString('en-US');
  const money = (v: number) => formatFigure(v, 'usd');
  const share = (v: number) => (w.totalCost > 0 ? ` (${formatShare(v / w.totalCost)} of spend)` : '');
  const failed = w.started - w.completed;
  const reasons = w.failedByReason.map(([r, k]) => `${r} ${n(k)}`).join(', ');
  const rejected = w.rejected > 0 ? `, ${n(w.rejected)} breaker/bulkhead rejections` : '';
  return [
    failed > 0 ? `${n(failed)} of ${n(w.started)} workflows failed: ${reasons}` : `all ${n(w.started)} workflows completed`,
    `${n(w.timeouts)} timeouts → ${n(w.agentRetries)} agent-layer + ${n(w.transportRetries)} transport retries${rejected} → ${tokens(w.retryTurnTokens)} tokens re-billed in retry turns → ${money(w.retryTurnCost)}${share(w.retryTurnCost)}`,
    `${money(w.failedWorkflowCost)}${share(w.failedWorkflowCost)} spent on failed workflows`,
  ];
}

/** The objective and the constraints, in one sentence. */
export function objectiveLine(v: Verdict): string {
  return `Objective: ${v.label}, ${v.maximize ? 'higher' : 'lower'} is better; eligible: meets every threshold of the scenario and completes at least ${formatShare(v.completionFloor)} of its workflows.`;
}

/** An entry's objective value with its interval. */
export function entryValue(e: VerdictEntry, unit: FigureUnit): string {
  return `${formatFigure(e.value, unit)}${e.interval ? ` ${formatHalfWidth(e.interval, unit)}` : ''}`;
}

/** A difference with its sign: `+$0.012`, `−1.2s`. */
function signed(v: number, unit: FigureUnit): string {
  return `${v < 0 ? '−' : '+'}${formatFigure(Math.abs(v), unit)}`;
}

/** Token counts in a sentence: `1.40 B`, `636 k`, `9,120`. */
function tokens(v: number): string {
  if (v >= 1e9) return `${(v / 1e9).toFixed(2)} B`;
  if (v >= 1e6) return `${(v / 1e6).toFixed(2)} M`;
  if (v >= 1e4) return `${(v / 1e3).toFixed(0)} k`;
  return v.toLocaleString('en-US');
}

/** How an entry stands: its rank among the eligible, or why it is not eligible. */
export function standing(v: Verdict, e: VerdictEntry): string {
  if (!e.eligible) return `not eligible: ${e.reasons.join('; ')}`;
  const rank = v.ranking.filter((x) => x.eligible).indexOf(e) + 1;
  return e.policy === v.winner ? `${rank}. winner` : `${rank}.`;
}
