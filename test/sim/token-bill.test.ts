/**
 * The token bill of whole simulated workflows against totals computed by hand from DESIGN.md's
 * formulas: one agent-layer retry, prompt caching on and off, a cache expired by a long backoff,
 * an overflow and a spend cap at known steps, the drop-oldest and summarize strategies, the final
 * turn, and the worked example of docs/tokens.md. A workflow of N steps bills N + 1 turns: the
 * final turn reads context(N) and writes the answer.
 * Sizes are constants so every total is exact; dollars are compared to 1e-5 relative because
 * report figures keep six significant digits.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { runSim } from '../../src/run/sim.js';
import type { PolicyReport } from '../../src/report/types.js';
import { scenario } from '../helpers/scenario.js';

const IN = 3;
const OUT = 15;
const R = 0.1;
const W = 1.25;
const BASE = 1000;
const OUTPUT = 50;
const RESULT = 100;

/** Relative closeness: report dollars carry six significant digits. */
function near(actual: number, expected: number): void {
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(Math.abs(expected) * 1e-5 + 1e-12);
}

const ctx = (i: number, result = RESULT) => BASE + i * (OUTPUT + result);

/** A scripted workflow of `steps` calls, tool `b` at step `k` and `a` elsewhere. */
function run(o: {
  steps: number;
  k?: number;
  llm?: Record<string, unknown>;
  pricing?: Record<string, unknown>;
  faults?: unknown[];
  policy?: Record<string, unknown>;
  workflows?: number;
  result?: number;
  finalTurn?: boolean;
}): PolicyReport {
  const script = Array.from({ length: o.steps }, (_, i) => ({ call: i === o.k ? 'b' : 'a' }));
  const size = o.result ?? RESULT;
  const sc = scenario({
    workload: { agents: 1, workflows: o.workflows ?? 1 },
    workflow: { steps: null, tools: null, order: null, script, finalTurn: o.finalTurn },
    llm: {
      systemTokens: BASE,
      outputTokensPerTurn: OUTPUT,
      errorTokens: 80,
      pricing: { source: 'test', inputPerMTok: IN, outputPerMTok: OUT, cacheReadMultiplier: R, cacheWriteMultiplier: W, cacheTtl: '5m', caching: 'none', ...o.pricing },
      ...o.llm,
    },
    server: { tools: { a: { service: '10ms', resultTokens: size }, b: { service: '10ms', resultTokens: size } } },
    faults: o.faults ?? [],
    policies: [{ name: 'p', timeout: 'none', ...o.policy }],
  });
  return runSim(sc).policies[0];
}

describe('one agent-layer retry at step k', () => {
  it('costs the retry turn (context at k + the error text) plus the grown context of every later turn', () => {
    const steps = 6;
    const k = 2;
    const err = 80;
    const policy = { retry: { maxAttempts: 2, backoff: 'none', layer: 'agent' } };
    const clean = run({ steps, k, policy });
    const retried = run({ steps, k, policy, faults: [{ kind: 'fail-first', tool: 'b', count: 1 }] });
    expect(retried.calls.agentRetries).toBe(1);
    expect(retried.workflows.completed).toBe(1);
    // The retry turn reads the context of step k, the output of the turn that issued the failed
    // call, and the error text; each later turn (the final turn too) carries the error text and
    // the retry's output.
    const retryInput = ctx(k) + OUTPUT + err;
    const laterInput = (steps - k) * (err + OUTPUT);
    expect(retried.tokens.input - clean.tokens.input).toBe(retryInput + laterInput);
    expect(retried.tokens.output - clean.tokens.output).toBe(OUTPUT);
    const retryTurn = (retryInput * IN + OUTPUT * OUT) / 1e6;
    near(retried.cost.retryTurns!, retryTurn);
    near(retried.cost.perStep[k] - clean.cost.perStep[k], retryTurn);
    near(retried.cost.total - clean.cost.total, retryTurn + (laterInput * IN) / 1e6);
    // Fault-free, the bill is Σ_{i ≤ steps} context(i)·in + (steps + 1)·out·outPrice.
    let input = 0;
    for (let i = 0; i <= steps; i++) input += ctx(i);
    near(clean.cost.total, (input * IN + (steps + 1) * OUTPUT * OUT) / 1e6);
    expect(clean.cost.retryTurns).toBe(0);
    near(retried.cost.retryTurns, retryTurn);
    expect(retried.cost.failedWorkflows).toBe(0);
  });
});

describe('prompt caching', () => {
  const steps = 5;
  const explicit = () => {
    let d = BASE * IN * W;
    for (let i = 1; i <= steps; i++) d += ctx(i - 1) * IN * R + (OUTPUT + RESULT) * IN * W;
    return (d + (steps + 1) * OUTPUT * OUT) / 1e6;
  };

  it('bills cached prefixes at the read rate and new tokens at the write rate, cheaper than no caching', () => {
    const cached = run({ steps, pricing: { caching: 'explicit' } });
    const plain = run({ steps });
    let uncached = 0;
    for (let i = 0; i <= steps; i++) uncached += ctx(i) * IN;
    near(cached.cost.total, explicit());
    near(plain.cost.total, (uncached + (steps + 1) * OUTPUT * OUT) / 1e6);
    expect(cached.cost.total).toBeLessThan(plain.cost.total);
    expect(cached.tokens.cacheHitRate).toBeCloseTo(steps / (steps + 1), 6);
  });

  it('charges nothing for writes with automatic caching', () => {
    const auto = run({ steps, pricing: { caching: 'automatic' } });
    let d = BASE * IN;
    for (let i = 1; i <= steps; i++) d += ctx(i - 1) * IN * R + (OUTPUT + RESULT) * IN;
    near(auto.cost.total, (d + (steps + 1) * OUTPUT * OUT) / 1e6);
  });

  it('expires when a transport-layer backoff outlasts the TTL, and the next turn writes its whole context again', () => {
    const k = 2;
    const faults = [{ kind: 'fail-first', tool: 'b', count: 1 }];
    const retry = (base: string) => ({ retry: { maxAttempts: 2, backoff: { kind: 'constant', base, max: '10m' }, layer: 'transport' } });
    const short = run({ steps, k, faults, policy: retry('1m'), pricing: { caching: 'explicit' } });
    const long = run({ steps, k, faults, policy: retry('6m'), pricing: { caching: 'explicit' } });
    expect(short.tokens.cacheExpiries).toBe(0);
    near(short.cost.total, explicit());
    expect(long.tokens.cacheExpiries).toBe(1);
    // Turn k+1 would have read context(k) from cache; expired, it writes it again.
    near(long.cost.total - short.cost.total, (ctx(k) * IN * (W - R)) / 1e6);
    expect(long.tokens.cacheHitRate).toBeCloseTo((steps - 1) / (steps + 1), 6);
  });
});

describe('context window', () => {
  it('fails every workflow with contextOverflow at the first step whose context exceeds the window', () => {
    const window = 1600;
    let k = 0;
    while (ctx(k) <= window) k++;
    const workflows = 3;
    const r = run({ steps: 10, workflows, llm: { contextWindow: window } });
    expect(r.workflows.failedByReason).toEqual({ contextOverflow: workflows });
    expect(r.tokens.overflows).toBe(workflows);
    expect(r.cost.perStep).toHaveLength(k);
    let spent = 0;
    for (let i = 0; i < k; i++) spent += ctx(i) + OUTPUT;
    expect(r.tokens.total).toBe(workflows * spent);
    // Nothing completed, so all of it is spend on failed workflows, and nothing was bought.
    expect(r.tokens.failedWorkflows).toBe(workflows * spent);
    expect(r.cost.failedWorkflowsShare).toBe(1);
    expect(r.cost.perCompletedWorkflow).toBeNull();
  });

  it('drops the oldest results instead, and never overflows', () => {
    const steps = 10;
    const result = 400;
    const at = 2000;
    const window = 2500;
    const fail = run({ steps, result, llm: { contextWindow: window } });
    expect(fail.tokens.overflows).toBe(1);
    const r = run({ steps, result, llm: { contextWindow: window, contextStrategy: { kind: 'drop-oldest', at, keep: 1 } } });
    // By hand: before a turn whose context exceeds `at`, every result but the newest goes.
    let context = BASE;
    let kept = 0;
    let drops = 0;
    let input = 0;
    // Turns 0 … steps − 1 each add a result; turn `steps` is the final turn.
    for (let i = 0; i <= steps; i++) {
      if (context > at && kept > 1) {
        context -= (kept - 1) * result;
        kept = 1;
        drops++;
      }
      input += context;
      context += OUTPUT + result;
      kept++;
    }
    expect(r.workflows.completed).toBe(1);
    expect(r.tokens.overflows).toBe(0);
    expect(r.tokens.contextDrops).toBe(drops);
    expect(r.tokens.input).toBe(input);
    expect(drops).toBeGreaterThan(0);
  });

  it('summarises instead: an extra turn that reads the context, writes the summary and takes its time', () => {
    const steps = 10;
    const result = 400;
    const at = 2000;
    const summary = 200;
    const r = run({ steps, result, llm: { contextWindow: 2500, contextStrategy: { kind: 'summarize', at, summaryTokens: summary } } });
    let context = BASE;
    let summaries = 0;
    let summaryDollars = 0;
    let input = 0;
    let output = 0;
    for (let i = 0; i <= steps; i++) {
      if (context > at) {
        summaryDollars += (context * IN + summary * OUT) / 1e6;
        input += context;
        output += summary;
        context = BASE + summary;
        summaries++;
      }
      input += context;
      output += OUTPUT;
      context += OUTPUT + result;
    }
    expect(r.workflows.completed).toBe(1);
    expect(r.tokens.summaries).toBe(summaries);
    expect(r.tokens.input).toBe(input);
    expect(r.tokens.output).toBe(output);
    near(r.cost.summaries!, summaryDollars);
    // Each summary is an LLM turn of its own: steps + 1 + summaries turns in the llm histogram.
    expect(r.latency.llm.count).toBe(steps + 1 + summaries);
    expect(summaries).toBeGreaterThan(0);
  });
});

describe('spend cap', () => {
  const steps = 8;
  const tokensAfter = (j: number) => {
    let t = 0;
    for (let m = 0; m <= j; m++) t += ctx(m) + OUTPUT;
    return t;
  };
  const dollarsAfter = (j: number) => {
    let d = 0;
    for (let m = 0; m <= j; m++) d += (ctx(m) * IN + OUTPUT * OUT) / 1e6;
    return d;
  };

  it('aborts after the turn whose tokens pass the cap, that turn paid for', () => {
    const r = run({ steps, workflows: 2, llm: { spendCap: { tokens: tokensAfter(3) } } });
    // Reaching the cap exactly is allowed; turn 4 passes it.
    expect(r.workflows.failedByReason).toEqual({ spendCap: 2 });
    expect(r.tokens.spendCapAborts).toBe(2);
    expect(r.cost.perStep).toHaveLength(5);
    expect(r.tokens.total).toBe(2 * tokensAfter(4));
  });

  it('aborts on a dollar cap at the turn that crosses it', () => {
    const cap = (dollarsAfter(2) + dollarsAfter(3)) / 2;
    const r = run({ steps, llm: { spendCap: { dollars: cap } } });
    expect(r.workflows.failedByReason).toEqual({ spendCap: 1 });
    expect(r.cost.perStep).toHaveLength(4);
    near(r.cost.total, dollarsAfter(3));
    near(r.cost.failedWorkflows, dollarsAfter(3));
  });
});

describe('the final turn', () => {
  it('reads the last result, writes the answer, and is billed and timed like any turn; finalTurn: false drops exactly that turn', () => {
    const steps = 4;
    const on = run({ steps });
    const off = run({ steps, finalTurn: false });
    // The final turn's input is context(steps): every result has joined the context.
    expect(on.tokens.input - off.tokens.input).toBe(ctx(steps));
    expect(on.tokens.output - off.tokens.output).toBe(OUTPUT);
    near(on.cost.total - off.cost.total, (ctx(steps) * IN + OUTPUT * OUT) / 1e6);
    expect(on.cost.perStep).toHaveLength(steps + 1);
    near(on.cost.perStep[steps], (ctx(steps) * IN + OUTPUT * OUT) / 1e6);
    expect(on.latency.llm.count).toBe(steps + 1);
    expect(off.latency.llm.count).toBe(steps);
    // Timed like any turn: the workflow lasts one turn longer (ttft 0, output at 1000/s, prefill at 1e6/s).
    const turnMs = (OUTPUT / 1000) * 1000 + (ctx(steps) / 1e6) * 1000;
    expect(Math.abs(on.latency.workflow.max! - off.latency.workflow.max! - turnMs)).toBeLessThan(on.latency.workflow.max! * 1e-3);
  });
});

describe('the worked example of docs/tokens.md', () => {
  it('bills three cached turns, the final turn, and one agent-layer retry at the preset prices', () => {
    const p = parse(readFileSync('scenarios/pricing/claude-sonnet-4-5.yaml', 'utf8'));
    const [inP, outP, r, w] = [p.inputPerMTok, p.outputPerMTok, p.cacheReadMultiplier, p.cacheWriteMultiplier];
    const base = 2000 + 1500 + 300;
    const [out, res, err] = [150, 600, 60];
    const bill = (read: number, write: number) => (read * inP * r + write * inP * w + out * outP) / 1e6;
    const ctx1 = base + out + res;
    const ctx2 = ctx1 + out + res;
    // Three tool turns and the final turn, which reads the third result and answers.
    const clean = bill(0, base) + bill(base, out + res) + bill(ctx1, out + res) + bill(ctx2, out + res);
    const retryTurn = bill(ctx1, out + err);
    const retried = bill(0, base) + bill(base, out + res) + retryTurn + bill(ctx1 + out + err, out + res) + bill(ctx2 + out + err, out + res);
    const sc = (faults: unknown[]) =>
      runSim(
        scenario({
          workload: { agents: 1, workflows: 1 },
          workflow: { steps: null, tools: null, order: null, script: [{ call: 'a' }, { call: 'b' }, { call: 'a' }] },
          llm: {
            systemTokens: 2000,
            toolSchemaTokens: 1500,
            taskTokens: 300,
            outputTokensPerTurn: out,
            errorTokens: err,
            pricing: { source: null, inputPerMTok: null, outputPerMTok: null, caching: null, preset: 'claude-sonnet-4-5' },
          },
          server: { tools: { a: { service: '10ms', resultTokens: res }, b: { service: '10ms', resultTokens: res } } },
          faults,
          policies: [{ name: 'p', timeout: 'none', retry: { maxAttempts: 2, backoff: 'none', layer: 'agent' } }],
        }),
      ).policies[0];
    near(sc([]).cost.total, clean);
    const r1 = sc([{ kind: 'fail-first', tool: 'b', count: 1 }]);
    near(r1.cost.total, retried);
    near(r1.cost.retryTurns, retryTurn);
  });
});
