/**
 * From raw world records to the per-policy figures of the report. Replications of one policy merge
 * into that policy's figures by adding counters and histograms in world order, so a merged set of
 * shards and an unsharded run build byte-identical figures. Populations follow docs/reports.md:
 * `workflow` and `call` are censored (a failed one at +∞), a figure over nothing is null.
 */
import { addInto, decode, encode, newHistogram, round, summarize, summarizeCensored, type Histogram } from '../metrics/hdr.js';
import type { Scenario } from '../scenario/types.js';
import { LATENCY_METRICS, type FaultWindow, type PolicyLatency, type PolicyReport, type ToolFigures, type WorldRecord } from '../report/types.js';
import { stormFigures } from './storm.js';

function addArrays(into: number[], from: readonly number[] | undefined): void {
  if (!from) return;
  for (let i = 0; i < from.length; i++) into[i] = (into[i] ?? 0) + from[i];
}

/** a ÷ b, or null when b is 0: a figure over an empty population has no value. */
function share(a: number, b: number): number | null {
  return b === 0 ? null : round(a / b);
}

export interface PolicyInfo {
  name: string;
  description: string;
  timeouts: Record<string, number | null>;
}

export interface AggregateContext extends Pick<Scenario, 'llm' | 'windowMs'> {
  system?: { serverConcurrency: number; relayMaxInFlight: number };
  /** Fault windows of the scenario (the storm baseline is taken before the first). @default [] */
  faultWindows?: readonly FaultWindow[];
  /**
   * Histograms already decoded, by world and key: a report aggregates each world twice (into its
   * policy, and alone for the intervals), and decoding was a third of that. Decoded histograms are
   * only read, never recorded into. Absent: every call decodes its own.
   */
  decoded?: Map<WorldRecord, Map<string, Histogram>>;
}

function decoded(w: WorldRecord, k: string, cache: AggregateContext['decoded']): Histogram {
  if (!cache) return decode(w.histograms[k]);
  let own = cache.get(w);
  if (!own) cache.set(w, (own = new Map()));
  let h = own.get(k);
  if (!h) own.set(k, (h = decode(w.histograms[k])));
  return h;
}

export function aggregatePolicy(info: PolicyInfo, worlds: readonly WorldRecord[], sc: AggregateContext): PolicyReport {
  const c: Record<string, number> = {};
  const tools: Record<string, Record<string, number>> = {};
  const hist = new Map<string, Histogram>();
  const perStep = { input: [] as number[], output: [] as number[], cacheRead: [] as number[], cacheWrite: [] as number[], cost: [] as number[] };
  const storm = { attempts: [] as number[], offered: [] as number[], completed: [] as number[], failed: [] as number[] };
  for (const w of worlds) {
    for (const [k, v] of Object.entries(w.counters)) c[k] = (c[k] ?? 0) + v;
    for (const [name, t] of Object.entries(w.tools)) {
      const into = (tools[name] ??= {});
      for (const [k, v] of Object.entries(t)) into[k] = (into[k] ?? 0) + v;
    }
    for (const k of Object.keys(w.histograms)) {
      // One world (the common case): its histogram is the policy's, read as it is.
      if (worlds.length === 1) {
        hist.set(k, decoded(w, k, sc.decoded));
        continue;
      }
      let h = hist.get(k);
      if (!h) hist.set(k, (h = newHistogram()));
      addInto(h, decoded(w, k, sc.decoded));
    }
    addArrays(perStep.input, w.perStep.input);
    addArrays(perStep.output, w.perStep.output);
    addArrays(perStep.cacheRead, w.perStep.cacheRead);
    addArrays(perStep.cacheWrite, w.perStep.cacheWrite);
    addArrays(perStep.cost, w.perStep.cost);
    addArrays(storm.attempts, w.storm.attempts);
    addArrays(storm.offered, w.storm.offered);
    addArrays(storm.completed, w.storm.completed);
    addArrays(storm.failed, w.storm.failed);
  }
  const n = (k: string) => c[k] ?? 0;
  const h = (k: string) => hist.get(k) ?? newHistogram();
  const censored = (metric: string) => summarizeCensored(h(`${metric}.completed`), h(`${metric}.failed`).totalCount);
  const dollars = (k: string) => n(k) / 1e9;
  const totals = { input: n('tokensInput'), output: n('tokensOutput'), cacheRead: n('tokensCacheRead'), cacheWrite: n('tokensCacheWrite') };
  const totalTokens = totals.input + totals.output + totals.cacheRead + totals.cacheWrite;
  const retryTokens = n('retryTokensInput') + n('retryTokensOutput') + n('retryTokensCacheRead') + n('retryTokensCacheWrite');
  const completed = n('workflowsCompleted');
  const started = n('workflowsStarted');
  const failed = n('workflowsFailed');
  const totalCost = dollars('costNanos');
  const retryTurnCost = dollars('retryCostNanos');
  const failedCost = dollars('failedWorkflowCostNanos');
  const rejected = n('breakerRejected') + n('bulkheadRejected');
  const failedByReason: Record<string, number> = {};
  for (const k of Object.keys(c).sort()) if (k.startsWith('failed.')) failedByReason[k.slice(7)] = c[k];

  const toolFigures: Record<string, ToolFigures> = {};
  for (const [name, t] of Object.entries(tools)) {
    const tool = (m: string) => h(`${m}{tool:${name}}`);
    toolFigures[name] = {
      logical: t.logical,
      attempts: t.attempts,
      rejected: t.rejected ?? 0,
      amplification: share(t.attempts + (t.rejected ?? 0), t.logical),
      timeouts: t.timeouts,
      errors: t.errors,
      failed: t.failed,
      call: summarizeCensored(tool('call.completed'), tool('call.failed').totalCount),
      'call.completed': summarize(tool('call.completed')),
      'call.failed': summarize(tool('call.failed')),
      attempt: summarize(tool('attempt')),
    };
  }
  const latency = {
    workflow: censored('workflow'),
    call: censored('call'),
    ...Object.fromEntries(LATENCY_METRICS.map((k) => [k, summarize(h(k))])),
  } as PolicyLatency;
  const histograms: Record<string, string> = {};
  for (const k of [...hist.keys()].sort()) histograms[k] = worlds.length === 1 ? worlds[0].histograms[k] : encode(hist.get(k)!);
  return {
    name: info.name,
    description: info.description,
    timeouts: info.timeouts,
    worlds: worlds.length,
    simulatedMs: round(n('simulatedMicros') / 1000),
    workflows: {
      started,
      completed,
      failed,
      failedByReason,
      successRate: share(completed, started),
      failedRate: share(failed, started),
    },
    calls: {
      logical: n('logicalCalls'),
      attempts: n('attempts'),
      rejected,
      retries: n('transportRetries') + n('agentRetries'),
      transportRetries: n('transportRetries'),
      agentRetries: n('agentRetries'),
      amplification: share(n('attempts') + rejected, n('logicalCalls')),
      timeouts: n('timeouts'),
      errors: n('errors'),
      rateLimited: n('rateLimited'),
      rejectedByRelay: n('rejectedByRelay'),
      zombieExecutions: n('zombieExecutions'),
      duplicateExecutions: n('duplicateExecutions'),
      nonIdempotentDuplicates: n('nonIdempotentDuplicates'),
      failed: n('callsFailed'),
      budgetExhausted: n('budgetExhausted'),
      hedgesSent: n('hedgesSent'),
      hedgesWon: n('hedgesWon'),
      hedgesWasted: n('hedgesWasted'),
      bulkheadRejected: n('bulkheadRejected'),
      streamCuts: n('streamCuts'),
      shedByRelay: n('shedByRelay'),
      limitRejected: n('limitRejected'),
    },
    latency,
    tools: toolFigures,
    tokens: {
      input: totals.input,
      output: totals.output,
      cacheRead: totals.cacheRead,
      cacheWrite: totals.cacheWrite,
      total: totalTokens,
      perCompletedWorkflow: share(totalTokens, completed),
      retryTurns: retryTokens,
      retryTurnsShare: share(retryTokens, totalTokens),
      failedWorkflows: n('failedWorkflowTokens'),
      failedWorkflowsShare: share(n('failedWorkflowTokens'), totalTokens),
      cacheHitRate: share(n('cacheHits'), n('cacheLookups')),
      overflows: n('overflows'),
      cacheExpiries: n('cacheExpiries'),
      contextDrops: n('contextDrops'),
      droppedResults: n('droppedResults'),
      droppedTokens: n('droppedTokens'),
      summaries: n('summaries'),
      spendCapAborts: n('spendCapAborts'),
    },
    completedWorkflowTokens: summarize(h('completedWorkflowTokens'), 1),
    cost: {
      total: round(totalCost),
      perCompletedWorkflow: share(totalCost, completed),
      retryTurns: round(retryTurnCost),
      retryTurnsShare: share(retryTurnCost, totalCost),
      failedWorkflows: round(failedCost),
      failedWorkflowsShare: share(failedCost, totalCost),
      summaries: round(n('summaryCostNanos') / 1e9),
      perStep: perStep.cost.map((nanos) => round(nanos / 1e9)),
      currency: 'USD',
      pricingSource: sc.llm.pricing.source,
    },
    completedWorkflowCost: summarize(h('completedWorkflowCostMicros'), 1e-6),
    utilisation: sc.system
      ? {
          server: share(n('serverBusyMicros'), sc.system.serverConcurrency * n('simulatedMicros')) ?? 0,
          relay: share(n('relayHeldMicros'), sc.system.relayMaxInFlight * n('simulatedMicros')) ?? 0,
        }
      : undefined,
    storm: stormFigures(storm, worlds.length, sc.windowMs, sc.faultWindows ?? []),
    breaker: {
      opens: n('breakerOpens'),
      openTimeMs: round(n('breakerOpenMicros') / 1000),
      rejected: n('breakerRejected'),
      // The first replication's: state changes of several worlds do not add up to one timeline.
      transitions: worlds.length > 0 ? [...worlds[0].breakerTransitions] : [],
    },
    histograms,
  };
}
