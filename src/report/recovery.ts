/**
 * Recovery after a fault window: did successful calls come back when the trigger ended, and what did the
 * time it stayed down cost? The figures that show a metastable failure (Bronson et al., HotOS '21;
 * Huang et al., OSDI '22): a retry storm that outlives its trigger keeps successful calls down after the
 * window closes, until load is shed. (Goodput in the rest of the report is completed workflows per
 * second; recovery is judged on successful calls, which answer within a window, not a workflow's length.)
 *
 * Definitions (docs/reports.md, "Recovery"), all per report window (`report.window`, 10 s):
 * - successful calls: logical calls that succeeded, per second, counted when they finished, per run
 *   (the policy's worlds averaged: replications run side by side, not one after another);
 * - before: mean successful calls/s over the second half of the time before the first fault window (at most
 *   5 minutes), when the run has warmed up — one baseline for every window, since a later one's
 *   run-up may still hold the previous incident; during: over the window; after: from its end to
 *   the horizon;
 * - the horizon: the next fault window's start or the end of the arrivals (the drain after them
 *   runs at falling load), whichever comes first;
 * - recovered: at the start of the first report window after the fault window's end from which
 *   successful calls stay at ≥ 90 % of before for 3 report windows in a row; `null` when that never
 *   happens inside the horizon (degraded to its end);
 * - the incident: from the window's start to recovery (or the horizon); its lost calls are the
 *   shortfall of successful calls against before, and its wasted spend is what the retry tax booked in it
 *   (agent-layer retry turns, and failed workflows' other spend), beside what the pre-trigger rate
 *   of waste would have spent in the same time.
 */
import type { TimelineRecord } from '../metrics/timeline.js';
import type { CallTimeline, IncidentWindow, RecoveryFigures } from './incident-types.js';
import type { WorldRecord } from './types.js';

/** Successful calls must return to this share of its pre-trigger level… */
export const RECOVERED_SHARE = 0.9;
/** …for this many report windows in a row. */
export const SUSTAIN_WINDOWS = 3;
/** The pre-trigger baseline is at most this long (ms). */
const MAX_BASELINE_MS = 5 * 60_000;

function add(into: number[], from: readonly number[]): void {
  for (let i = 0; i < from.length; i++) into[i] = (into[i] ?? 0) + from[i];
}

export function sumTimelines(worlds: readonly WorldRecord[]): CallTimeline | undefined {
  const ts = worlds.map((w) => w.timeline).filter((t): t is TimelineRecord => t !== undefined);
  if (ts.length === 0) return undefined;
  const nanos: number[] = [];
  const g: CallTimeline = { windowMs: ts[0].windowMs, worlds: ts.length, okCalls: [], started: [], completed: [], failed: [], wastedDollars: [], wastedTokens: [] };
  for (const t of ts) {
    add(g.okCalls, t.okCalls);
    add(g.started, t.started);
    add(g.completed, t.completed);
    add(g.failed, t.failed);
    add(nanos, t.wastedNanos);
    add(g.wastedTokens, t.wastedTokens);
  }
  const n = g.okCalls.length;
  for (const a of [g.started, g.completed, g.failed, g.wastedTokens, nanos]) while (a.length < n) a.push(0);
  g.wastedDollars = nanos.map((x) => x / 1e9);
  return g;
}

const round = (v: number) => Number(v.toPrecision(6));

/** The timeline of one average world: every series divided by the worlds added. */
function perWorld(g: CallTimeline): CallTimeline {
  const n = g.worlds > 0 ? g.worlds : 1;
  const div = (xs: readonly number[]) => xs.map((x) => x / n);
  return { ...g, worlds: 1, okCalls: div(g.okCalls), started: div(g.started), completed: div(g.completed), failed: div(g.failed), wastedDollars: div(g.wastedDollars), wastedTokens: div(g.wastedTokens) };
}

/** Recovery figures for every fault window, judged on one policy's timeline, per world. */
export function recoveryFigures(total: CallTimeline, windows: readonly IncidentWindow[]): RecoveryFigures[] {
  const g = perWorld(total);
  const W = g.windowMs;
  const sec = W / 1000;
  // The end of the arrivals: the last window in which a workflow started, exclusive.
  let arrivalsEnd = 0;
  g.started.forEach((s, i) => {
    if (s > 0) arrivalsEnd = i + 1;
  });
  const sorted = [...windows].sort((a, b) => a.fromMs - b.fromMs);
  const mean = (series: readonly number[], a: number, b: number) => {
    if (b <= a) return 0;
    let s = 0;
    for (let i = a; i < b; i++) s += series[i] ?? 0;
    return s / ((b - a) * sec);
  };
  const sum = (series: readonly number[], a: number, b: number) => {
    let s = 0;
    for (let i = a; i < b; i++) s += series[i] ?? 0;
    return s;
  };
  // One baseline for every window: the steady state before the first incident. A later window's
  // own run-up may still hold the previous incident, or the burst of calls that catch up after it.
  const first = sorted.length > 0 ? Math.floor(sorted[0].fromMs / W) : 0;
  const baseStart = Math.max(Math.floor(first / 2), first - Math.floor(MAX_BASELINE_MS / W));
  const baseEnd = first;
  const before = mean(g.okCalls, baseStart, baseEnd);
  return sorted.map((w, k) => {
    const from = Math.floor(w.fromMs / W);
    const to = Math.ceil(w.toMs / W);
    const next = k + 1 < sorted.length ? Math.floor(sorted[k + 1].fromMs / W) : Infinity;
    const horizon = Math.max(to, Math.min(next, arrivalsEnd));
    let recovered: number | null = null;
    for (let i = to; i + SUSTAIN_WINDOWS <= horizon; i++) {
      let ok = true;
      for (let j = i; j < i + SUSTAIN_WINDOWS && ok; j++) ok = g.okCalls[j] / sec >= RECOVERED_SHARE * before;
      if (ok) {
        recovered = i;
        break;
      }
    }
    const end = recovered ?? horizon;
    let lost = 0;
    for (let i = from; i < end; i++) lost += Math.max(0, before * sec - (g.okCalls[i] ?? 0));
    const baseSpan = baseEnd - baseStart;
    const rate = (series: readonly number[]) => (baseSpan > 0 ? sum(series, baseStart, baseEnd) / baseSpan : 0);
    return {
      fault: w.fault,
      kind: w.kind,
      fromMs: w.fromMs,
      toMs: w.toMs,
      successfulCalls: { before: round(before), during: round(mean(g.okCalls, from, to)), after: round(mean(g.okCalls, to, horizon)) },
      completions: { before: round(mean(g.completed, baseStart, baseEnd)), during: round(mean(g.completed, from, to)), after: round(mean(g.completed, to, horizon)) },
      recoveredAfterMs: recovered === null ? null : Math.max(0, recovered * W - w.toMs),
      horizonMs: horizon * W,
      incident: {
        fromMs: w.fromMs,
        toMs: end * W,
        lostCalls: Math.round(lost),
        workflowsFailed: round(sum(g.failed, from, end)),
        wasted: { tokens: Math.round(sum(g.wastedTokens, from, end)), dollars: round(sum(g.wastedDollars, from, end)) },
        wastedAtBaselineRate: { tokens: Math.round(rate(g.wastedTokens) * (end - from)), dollars: round(rate(g.wastedDollars) * (end - from)) },
      },
    };
  });
}
