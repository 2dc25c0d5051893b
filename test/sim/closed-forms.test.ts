/**
 * The simulator against closed forms, each with its tolerance stated next to it.
 */
import { describe, expect, it } from 'vitest';
import { runSim } from '../../src/run/sim.js';
import { scenario } from '../helpers/scenario.js';

describe('transport retries', () => {
  it('give success 1 − pᵏ and mean attempts (1 − pᵏ)/(1 − p)', () => {
    const p = 0.3;
    const k = 3;
    const n = 40_000;
    const sc = scenario({
      workload: { agents: 50, workflows: n },
      workflow: { steps: 1 },
      faults: [{ kind: 'error', probability: p }],
      policies: [{ name: 'r', timeout: 'none', retry: { maxAttempts: k, backoff: 'none', layer: 'transport' } }],
    });
    const r = runSim(sc).policies[0];
    const success = 1 - p ** k;
    const meanAttempts = (1 - p ** k) / (1 - p);
    // Binomial standard error of the success rate: sqrt(s(1 − s)/n) ≈ 0.0008; allow 4 SE.
    expect(Math.abs(r.workflows.successRate! - success)).toBeLessThan(4 * Math.sqrt((success * (1 - success)) / n));
    // Attempts per call has variance < k²/4; allow 4 SE.
    expect(Math.abs(r.calls.amplification! - meanAttempts)).toBeLessThan((4 * k) / 2 / Math.sqrt(n));
  });
});

describe('one server with Poisson arrivals and exponential service', () => {
  it('reproduces the M/M/1 mean wait ρ/(μ − λ) within 5%', () => {
    const lambda = 5; // per second
    const mu = 10; // per second: mean service 100 ms
    const sc = scenario({
      workload: { model: 'open', arrivalRate: lambda, agents: null, workflows: 200_000 },
      workflow: { steps: 1 },
      server: { concurrency: 1, tools: { a: { service: { dist: 'exponential', mean: '100ms' }, resultTokens: 0 } } },
    });
    const r = runSim(sc).policies[0];
    const rho = lambda / mu;
    const expectedWaitMs = (rho / (mu - lambda)) * 1000; // 100 ms
    // The estimator's standard error at ρ = 0.5 and n = 200,000 is about 1.3% (batch-means estimate); 5% is ~4 SE.
    expect(Math.abs(r.latency.serverQueue.mean / expectedWaitMs - 1)).toBeLessThan(0.05);
    expect(Math.abs(r.latency.server.mean / 100 - 1)).toBeLessThan(0.02);
  });
});

describe('token accounting', () => {
  it('equals the formula of DESIGN.md exactly for a fault-free scenario with constant sizes', () => {
    const steps = 30;
    const sys = 2000;
    const schemas = 1500;
    const task = 300;
    const out = 150;
    const result = 700;
    const workflows = 50;
    const sc = scenario({
      workload: { agents: 5, workflows },
      workflow: { steps },
      llm: {
        systemTokens: sys,
        toolSchemaTokens: schemas,
        taskTokens: task,
        outputTokensPerTurn: out,
        pricing: { source: 'test', inputPerMTok: 3, outputPerMTok: 15, caching: 'none' },
      },
      server: { tools: { a: { service: '10ms', resultTokens: result } } },
    });
    const r = runSim(sc).policies[0];
    // context(i) = base + i · (out + result); turns 0 … steps − 1 issue the calls and the final
    // turn (i = steps) reads the last result and answers: input = Σ_{i ≤ steps} context(i),
    // output = (steps + 1) · out.
    const base = sys + schemas + task;
    let input = 0;
    for (let i = 0; i <= steps; i++) input += base + i * (out + result);
    expect(r.tokens.input).toBe(workflows * input);
    expect(r.tokens.output).toBe(workflows * (steps + 1) * out);
    expect(r.tokens.cacheRead).toBe(0);
    const dollars = (workflows * (input * 3 + (steps + 1) * out * 15)) / 1e6;
    expect(r.cost.total).toBeCloseTo(dollars, 4);
    expect(r.cost.perCompletedWorkflow).toBeCloseTo(dollars / workflows, 6);
  });

  it('bills the unchanged prefix as cache reads and the new tokens as cache writes with explicit caching', () => {
    const steps = 4;
    const sc = scenario({
      workload: { agents: 1, workflows: 1 },
      workflow: { steps },
      llm: {
        systemTokens: 1000,
        outputTokensPerTurn: 100,
        pricing: { source: 'test', inputPerMTok: 3, outputPerMTok: 15, caching: 'explicit', cacheTtl: '5m' },
      },
      server: { tools: { a: { service: '10ms', resultTokens: 400 } } },
    });
    const r = runSim(sc).policies[0];
    // Turn 0 writes 1000; turn i (the final turn i = steps too) reads context(i − 1) and writes
    // the 500 new tokens.
    const ctx = (i: number) => 1000 + i * 500;
    let read = 0;
    for (let i = 1; i <= steps; i++) read += ctx(i - 1);
    expect(r.tokens.cacheRead).toBe(read);
    expect(r.tokens.cacheWrite).toBe(1000 + steps * 500);
    expect(r.tokens.input).toBe(0);
    expect(r.tokens.cacheHitRate).toBeCloseTo(steps / (steps + 1), 6);
  });
});

describe('LLM turn time', () => {
  it('equals ttft + output ÷ output rate + new input ÷ prefill rate, rates per second', () => {
    const sc = scenario({
      workload: { agents: 1, workflows: 1 },
      workflow: { steps: 1 },
      llm: {
        systemTokens: 4000,
        outputTokensPerTurn: 160,
        latency: { ttft: '400ms', outputTokensPerSec: 80, prefillTokensPerSec: 5000 },
      },
    });
    const r = runSim(sc).policies[0];
    const expectedMs = 400 + (160 / 80) * 1000 + (4000 / 5000) * 1000; // 400 + 2000 + 800
    // The final turn reads the first turn's context, its 160 output tokens and the 100-token
    // result; with caching off all of it is new input.
    const finalMs = 400 + (160 / 80) * 1000 + ((4000 + 160 + 100) / 5000) * 1000;
    // HdrHistogram keeps 3 significant digits: figures agree to 0.1%.
    expect(r.latency.llm.count).toBe(2);
    expect(Math.abs(r.latency.llm.mean / ((expectedMs + finalMs) / 2) - 1)).toBeLessThan(1e-3);
    // One turn, one 10 ms call with zero network, the final turn: the workflow takes all three.
    expect(Math.abs(r.latency.workflow.max! / (expectedMs + 10 + finalMs) - 1)).toBeLessThan(1e-3);
  });
});
