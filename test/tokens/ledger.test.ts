/**
 * The token ledger against hand-computed bills: prompt-cache reads, writes and TTL, the prefix a
 * context strategy keeps, and integer nano-dollars.
 */
import { describe, expect, it } from 'vitest';
import { TokenLedger } from '../../src/tokens/ledger.js';
import type { LlmSpec } from '../../src/scenario/types.js';
import { scenario } from '../helpers/scenario.js';

const MIN = 60_000;
const IN = 3;
const OUT = 15;
const R = 0.1;
const W = 1.25;

function llm(pricing: Record<string, unknown> = {}, rest: Record<string, unknown> = {}): LlmSpec {
  return scenario({
    llm: { systemTokens: 1000, pricing: { source: 't', inputPerMTok: IN, outputPerMTok: OUT, cacheReadMultiplier: R, cacheWriteMultiplier: W, cacheTtl: '5m', caching: 'explicit', ...pricing }, ...rest },
  }).llm;
}

describe('TokenLedger', () => {
  it('resets to the state of a fresh ledger, whatever its turns, drops and summaries did', () => {
    const spec = llm({}, { contextStrategy: { kind: 'drop-oldest', at: 2000, keep: 1, placeholderTokens: 10 } });
    const used = new TokenLedger(spec);
    used.turn(0, 100, true);
    used.append(100);
    used.appendResult(400);
    used.appendResult(300);
    used.dropOldest(1200, 1, 10);
    used.summarize(50);
    used.turn(MIN, 20);
    // Every field but the reused turn record, which the next turn overwrites whole.
    const state = (l: TokenLedger) => ({ ...l, last: undefined });
    expect(state(used)).not.toEqual(state(new TokenLedger(spec)));
    expect(state(used.reset())).toEqual(state(new TokenLedger(spec)));
    const fresh = new TokenLedger(spec);
    expect({ ...used.turn(2 * MIN, 30) }).toEqual({ ...fresh.turn(2 * MIN, 30) });
  });

  it('writes the first context to cache and reads it back on the next turn', () => {
    const l = new TokenLedger(llm());
    const t0 = l.turn(0, 100);
    expect([t0.input, t0.cacheRead, t0.cacheWrite, t0.output]).toEqual([0, 0, 1000, 100]);
    expect(t0.cost).toBeCloseTo((1000 * IN * W + 100 * OUT) / 1e6, 12);
    const nanos0 = t0.nanos; // `turn` reuses one object: copy before the next turn
    l.append(100);
    l.appendResult(400);
    const t1 = l.turn(MIN, 50);
    expect([t1.cacheRead, t1.cacheWrite]).toEqual([1000, 500]);
    expect(t1.cost).toBeCloseTo((1000 * IN * R + 500 * IN * W + 50 * OUT) / 1e6, 12);
    expect(t1.nanos).toBe(Math.round(t1.cost * 1e9));
    expect(l.nanos).toBe(nanos0 + t1.nanos);
    expect(l.tokens).toBe(1000 + 100 + 1500 + 50);
  });

  it('refreshes the TTL on every hit, so turns 4 minutes apart never expire a 5-minute cache', () => {
    const l = new TokenLedger(llm());
    for (let i = 0; i < 4; i++) {
      const t = l.turn(i * 4 * MIN, 10);
      expect(t.expired).toBe(false);
      if (i > 0) expect(t.cacheRead).toBe(1000 + (i - 1) * 10);
      l.append(10);
    }
  });

  it('misses once the prefix is older than the TTL and bills the whole context as a write again', () => {
    const l = new TokenLedger(llm());
    l.turn(0, 100);
    l.append(100);
    const late = l.turn(5 * MIN, 0);
    expect(late.expired).toBe(true);
    expect([late.cacheRead, late.cacheWrite]).toEqual([0, 1100]);
    expect(late.cost).toBeCloseTo((1100 * IN * W) / 1e6, 12);
    // The miss wrote a fresh entry: a turn right after reads it.
    expect(l.turn(5 * MIN + 1, 0).cacheRead).toBe(1100);
  });

  it('bills automatic caching without a write charge and no caching as plain input', () => {
    const auto = new TokenLedger(llm({ caching: 'automatic' }));
    auto.turn(0, 0);
    auto.appendResult(200);
    const t = auto.turn(1, 0);
    expect([t.input, t.cacheRead, t.cacheWrite]).toEqual([200, 1000, 0]);
    expect(t.cost).toBeCloseTo((200 * IN + 1000 * IN * R) / 1e6, 12);
    const none = new TokenLedger(llm({ caching: 'none' }));
    none.turn(0, 0);
    const u = none.turn(1, 0);
    expect([u.input, u.cacheRead, u.expired]).toEqual([1000, 0, false]);
  });

  it('drops the oldest results but never the newest `keep`, and caches only the prefix before the first drop', () => {
    const spec = llm({}, { contextStrategy: { kind: 'drop-oldest', at: 2000, keep: 1, placeholderTokens: 10 } });
    const l = new TokenLedger(spec);
    l.turn(0, 0);
    // history: out 50 | result 300 | out 50 | error 60 | out 50 | result 300
    l.append(50);
    l.appendResult(300);
    l.append(50);
    l.appendResult(60);
    l.append(50);
    l.appendResult(300);
    l.turn(1, 0); // caches the whole 1810-token context
    const freed = l.dropOldest(0, 1, 10);
    // The first two results go (300 → 10, 60 → 10); the newest stays.
    expect(freed).toBe(290 + 50);
    expect(l.context).toBe(1810 - 340);
    expect([l.drops, l.droppedResults, l.droppedTokens]).toEqual([1, 2, 340]);
    // The prompt now differs from the cached one right after base + the first output.
    expect(l.turn(2, 0).cacheRead).toBe(1000 + 50);
  });

  it('stops dropping once the context is at most `to`', () => {
    const l = new TokenLedger(llm({}, { contextStrategy: { kind: 'drop-oldest', at: 2000, keep: 0 } }));
    for (let i = 0; i < 4; i++) l.appendResult(100);
    expect(l.dropOldest(1250, 0, 0)).toBe(200);
    expect(l.context).toBe(1200);
  });

  it('replaces the history by the summary and keeps only system + tools + task cached', () => {
    const l = new TokenLedger(llm({}, { taskTokens: 200, contextStrategy: { kind: 'summarize', at: 3000, summaryTokens: 300 } }));
    l.append(500);
    l.appendResult(900);
    l.turn(0, 0);
    l.summarize(300);
    expect(l.context).toBe(1200 + 300);
    expect(l.summaries).toBe(1);
    const t = l.turn(1, 0);
    expect([t.cacheRead, t.cacheWrite]).toEqual([1200, 300]);
  });

  it('prices a turn whose input passes a tier at that tier, cache reads included', () => {
    const spec = llm({ caching: 'automatic', tiers: [{ above: 1500, inputPerMTok: 6, outputPerMTok: 22.5 }] });
    const l = new TokenLedger(spec);
    const low = l.turn(0, 10);
    expect(low.cost).toBeCloseTo((1000 * IN + 10 * OUT) / 1e6, 12);
    l.appendResult(600);
    const high = l.turn(1, 10);
    expect(high.cost).toBeCloseTo((600 * 6 + 1000 * 6 * R + 10 * 22.5) / 1e6, 12);
  });
});
