import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { SimAttempt } from '../../src/sim/attempt.js';
import { TunnelSet } from '../../src/sim/tunnel-set.js';
import { NO_FAULT } from '../../src/model/faults.js';

const owner = { attemptDone: () => {} };
const ident = { workflow: 0, key: 0, tool: 0, nextAttempt: 0, executions: 0 };
const attempt = (i: number) => new SimAttempt(owner, ident, i, 0, { terminal: NO_FAULT, serviceFactor: 1, agentLinkFactor: 1, serverLinkFactor: 1 });

describe('TunnelSet', () => {
  it('keeps the members of a Set in its insertion order through deletions and compactions', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 199 })), { minLength: 1, maxLength: 2000 }), (ops) => {
        const pool = Array.from({ length: 200 }, (_, i) => attempt(i));
        const set = new TunnelSet();
        const ref = new Set<SimAttempt>();
        for (const [add, i] of ops) {
          if (add) {
            set.add(pool[i]);
            ref.add(pool[i]);
          } else {
            set.delete(pool[i]);
            ref.delete(pool[i]);
          }
          expect(set.size).toBe(ref.size);
        }
        expect(set.takeAll().map((a) => a.index)).toEqual([...ref].map((a) => a.index));
        expect(set.size).toBe(0);
        expect(pool.every((a) => a.tunnelSlot === -1)).toBe(true);
      }),
      { seed: 17, numRuns: 200 },
    );
  });

  it('leaves an attempt added twice in its first place', () => {
    const [a, b] = [attempt(0), attempt(1)];
    const set = new TunnelSet();
    set.add(a);
    set.add(b);
    set.add(a);
    expect(set.takeAll().map((x) => x.index)).toEqual([0, 1]);
  });
});
