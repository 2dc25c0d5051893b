/**
 * From raw world records to the per-policy figures of the report. Replications of one policy merge
 * into that policy's figures by adding counters and histograms in world order, so a merged set of
 * shards and an unsharded run build byte-identical figures.
 */
import { addInto, decode, encode, newHistogram, round, summarize, type Histogram } from '../metrics/hdr.js';
import { turnCost } from '../tokens/pricing.js';
import type { Scenario } from '../scenario/types.js';
import { LATENCY_METRICS, type PolicyReport, type ToolFigures, type WorldRecord } from '../report/types.js';

function addArrays(into: number[], from: readonly number[]): void {
  for (let i = 0; i < from.length; i++) into[i] = (into[i] ?? 0) + from[i];
}

function ratio(a: number, b: number): number {
  return b === 0 ? 0 : round(a / b);
}

export interface PolicyInfo {
  name: string;
  description: string;
  timeouts: Record<string, number | null>;
}

export interface AggregateContext extends Pick<Scenario, 'llm' | 'windowMs'> {
  system?: { serverConcurrency: number; relayMaxInFlight: number };
}

export function aggregatePolicy(info: PolicyInfo, worlds: readonly WorldRecord[], sc: AggregateContext): PolicyReport {
  const c: Record<string, number> = {};
  const tools: Record<string, Record<string, number>> = {};
  const hist = new Map<string, Histogram>();
  const perStep = { input: [] as number[], output: [] as number[], cacheRead: [] as number[], cacheWrite: [] as number[], cost: [] as number[] };
  const storm = { attempts: [] as number[], offered: [] as number[] };
  const transitions: [number, number][] = [];
  for (const w of worlds) {
    for (const [k, v] of Object.entries(w.counters)) c[k] = (c[k] ?? 0) + v;
    for (const [name, t] of Object.entries(w.tools)) {
      const into = (tools[name] ??= {});
      for (const [k, v] of Object.entries(t)) into[k] = (into[k] ?? 0) + v;
    }
    for (const [k, b64] of Object.entries(w.histograms)) {
      // One world (the common case): its histogram is the policy's, read as it is.
      if (worlds.length === 1) {
        hist.set(k, decode(b64));
        continue;
      }
      let h = hist.get(k);
      if (!h) hist.set(k, (h = newHistogram()));
      addInto(h, decode(b64));
    }
    addArrays(perStep.input, w.perStep.input);
    addArrays(perStep.output, w.perStep.output);
    addArrays(perStep.cacheRead, w.perStep.cacheRead);
    addArrays(perStep.cacheWrite, w.perStep.cacheWrite);
    if (w.perStep.cost) addArrays(perStep.cost, w.perStep.cost);
    addArrays(storm.attempts, w.storm.attempts);
    addArrays(storm.offered, w.storm.offered);
    if (worlds.length === 1) transitions.push(...w.breakerTransitions);
  }
  const n = (k: string) => c[k] ?? 0;
  const h = (k: string) => hist.get(k) ?? newHistogram();
  const p = sc.llm.pricing;
  // Dollars come from the integer nano-dollar counters the turns recorded (each turn priced at its
  // own long-context tier). Reports written before those counters existed price token totals.
  const cost = (t: { input: number; output: number; cacheRead: number; cacheWrite: number }) => turnCost(p, t, 0);
  const nanos = (k: string, fallback: () => number) => (k in c ? c[k] / 1e9 : fallback());
  const totals = { input: n('tokensInput'), output: n('tokensOutput'), cacheRead: n('tokensCacheRead'), cacheWrite: n('tokensCacheWrite') };
  const retryTotals = { input: n('retryTokensInput'), output: n('retryTokensOutput'), cacheRead: n('retryTokensCacheRead'), cacheWrite: n('retryTokensCacheWrite') };
  const totalTokens = totals.input + totals.output + totals.cacheRead + totals.cacheWrite;
  const retryTokens = retryTotals.input + retryTotals.output + retryTotals.cacheRead + retryTotals.cacheWrite;
  const completed = n('workflowsCompleted');
  const started = n('workflowsStarted');
  const failed = n('workflowsFailed');
  const totalCost = nanos('costNanos', () => cost(totals));
  const retryTurnCost = nanos('retryCostNanos', () => cost(retryTotals));
  const abandonedCost = n('abandonedCostNanos') / 1e9;
  const retryCost = retryTurnCost + abandonedCost;
  const stepCost = (i: number) =>
    perStep.cost.length > 0
      ? (perStep.cost[i] ?? 0) / 1e9
      : cost({ input: perStep.input[i], output: perStep.output[i], cacheRead: perStep.cacheRead[i], cacheWrite: perStep.cacheWrite[i] });
  const failedByReason: Record<string, number> = {};
  for (const k of Object.keys(c).sort()) if (k.startsWith('failed.')) failedByReason[k.slice(7)] = c[k];

  const toolFigures: Record<string, ToolFigures> = {};
  for (const [name, t] of Object.entries(tools)) {
    toolFigures[name] = {
      logical: t.logical,
      attempts: t.attempts,
      amplification: ratio(t.attempts, t.logical),
      timeouts: t.timeouts,
      errors: t.errors,
      failed: t.failed,
      call: summarize(h(`call{tool:${name}}`)),
      attempt: summarize(h(`attempt{tool:${name}}`)),
    };
  }
  const ratios = storm.attempts.map((a, i) => (storm.offered[i] > 0 ? a / storm.offered[i] : 0));
  const latency = Object.fromEntries(LATENCY_METRICS.map((k) => [k, summarize(h(k))])) as PolicyReport['latency'];
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
      successRate: ratio(completed, started),
      failedRate: ratio(failed, started),
    },
    calls: {
      logical: n('logicalCalls'),
      attempts: n('attempts'),
      retries: n('transportRetries') + n('agentRetries'),
      transportRetries: n('transportRetries'),
      agentRetries: n('agentRetries'),
      amplification: ratio(n('attempts'), n('logicalCalls')),
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
      perCompletedWorkflow: ratio(totalTokens, completed),
      retryShare: ratio(retryTokens, totalTokens),
      cacheHitRate: ratio(n('cacheHits'), n('cacheLookups')),
      overflows: n('overflows'),
      cacheExpiries: n('cacheExpiries'),
      abandoned: n('abandonedTokens'),
      contextDrops: n('contextDrops'),
      droppedResults: n('droppedResults'),
      droppedTokens: n('droppedTokens'),
      summaries: n('summaries'),
      spendCapAborts: n('spendCapAborts'),
    },
    tokensPerCompletedWorkflow: summarize(h('tokensPerCompletedWorkflow'), 1),
    cost: {
      total: round(totalCost),
      perCompletedWorkflow: completed ? round(totalCost / completed) : 0,
      retryTax: round(retryCost),
      retryTaxShare: totalCost ? round(retryCost / totalCost) : 0,
      retryTurns: round(retryTurnCost),
      abandoned: round(abandonedCost),
      summaries: round(n('summaryCostNanos') / 1e9),
      perStep: perStep.input.map((_, i) => round(stepCost(i))),
      currency: 'USD',
      pricingSource: p.source,
    },
    costPerCompletedWorkflow: summarize(h('costPerCompletedWorkflowMicros'), 1e-6),
    utilisation: sc.system
      ? {
          server: ratio(n('serverBusyMicros'), sc.system.serverConcurrency * n('simulatedMicros')),
          relay: ratio(n('relayHeldMicros'), sc.system.relayMaxInFlight * n('simulatedMicros')),
        }
      : undefined,
    storm: {
      windowMs: sc.windowMs,
      peakRatio: round(ratios.reduce((m, r) => (r > m ? r : m), 0)),
      windowsAbove2x: ratios.filter((r) => r > 2).length,
      windows: ratios.length,
      series: storm,
    },
    breaker: {
      opens: n('breakerOpens'),
      openTimeMs: round(n('breakerOpenMicros') / 1000),
      rejected: n('breakerRejected'),
      transitions,
    },
    histograms,
  };
}
