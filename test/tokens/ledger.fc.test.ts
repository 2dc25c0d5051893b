/**
 * Invariants of the token ledger under any sequence of appends, turns and drops (fast-check, fixed
 * seed so a failure reproduces): a turn bills exactly the context it reads, split into cache read,
 * cache write and plain input; it never reads more from cache than the previous turn's input; a drop
 * frees exactly what it says and never touches system + tools + task; nano-dollars add up.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TokenLedger } from '../../src/tokens/ledger.js';
import { scenario } from '../helpers/scenario.js';

type Op = { kind: 'append'; tokens: number } | { kind: 'result'; tokens: number } | { kind: 'turn'; wait: number; output: number } | { kind: 'drop'; to: number; keep: number; placeholder: number };

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('append' as const), tokens: fc.integer({ min: 0, max: 5000 }) }),
  fc.record({ kind: fc.constant('result' as const), tokens: fc.integer({ min: 0, max: 5000 }) }),
  fc.record({ kind: fc.constant('turn' as const), wait: fc.integer({ min: 0, max: 600_000 }), output: fc.integer({ min: 0, max: 500 }) }),
  fc.record({ kind: fc.constant('drop' as const), to: fc.integer({ min: 0, max: 20_000 }), keep: fc.integer({ min: 0, max: 4 }), placeholder: fc.integer({ min: 0, max: 50 }) }),
);

describe('TokenLedger invariants', () => {
  it('bills each turn its whole context, caches only what an earlier turn read, and frees what drops report', () => {
    fc.assert(
      fc.property(fc.constantFrom('explicit', 'automatic', 'none'), fc.array(op, { maxLength: 60 }), (caching, ops) => {
        const llm = scenario({
          llm: {
            systemTokens: 1000,
            pricing: { source: 't', inputPerMTok: 3, outputPerMTok: 15, caching, cacheTtl: '5m' },
            contextStrategy: { kind: 'drop-oldest', at: 2000 },
          },
        }).llm;
        const l = new TokenLedger(llm);
        let now = 0;
        let prevInput = 0;
        let nanos = 0;
        for (const o of ops) {
          if (o.kind === 'append') l.append(o.tokens);
          else if (o.kind === 'result') l.appendResult(o.tokens);
          else if (o.kind === 'drop') {
            const before = l.context;
            const freed = l.dropOldest(o.to, o.keep, o.placeholder);
            expect(l.context).toBe(before - freed);
            expect(l.context).toBeGreaterThanOrEqual(l.base);
          } else {
            now += o.wait;
            const context = l.context;
            const t = l.turn(now, o.output);
            expect(t.input + t.cacheRead + t.cacheWrite).toBe(context);
            expect(t.cacheRead).toBeLessThanOrEqual(prevInput);
            if (caching === 'none') expect(t.cacheRead + t.cacheWrite).toBe(0);
            if (caching !== 'explicit') expect(t.cacheWrite).toBe(0);
            if (t.expired) expect(t.cacheRead).toBe(0);
            expect(t.cost).toBeGreaterThanOrEqual(0);
            nanos += t.nanos;
            prevInput = context;
          }
        }
        expect(l.nanos).toBe(nanos);
      }),
      { seed: 4242, numRuns: 300 },
    );
  });
});
