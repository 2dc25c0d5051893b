import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { EventQueue } from '../../src/kernel/queue.js';
import { Kernel } from '../../src/kernel/kernel.js';

describe('EventQueue', () => {
  it('fires events in (time, insertion) order whatever the heap shape', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 20 }), { minLength: 1, maxLength: 300 }), (times) => {
        const q = new EventQueue();
        const fired: number[] = [];
        const target = { fire: (_k: number, ref: unknown) => fired.push(ref as number) };
        times.forEach((t, i) => q.push(t, target, 0, i));
        while (q.size > 0) q.popAndFire();
        const expected = times.map((t, i) => ({ t, i })).sort((a, b) => a.t - b.t || a.i - b.i).map((x) => x.i);
        expect(fired).toEqual(expected);
      }),
      { seed: 1, numRuns: 200 },
    );
  });
});

describe('EventQueue past its initial size', () => {
  it('keeps each event\'s kind and ref with its key while pops and pushes interleave and the heap grows', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 1000 }), { minLength: 2500, maxLength: 5000 }), (delays) => {
        // Pops free payload slots that later pushes take again: one event's payload in another's slot
        // would fire the wrong ref or kind.
        const q = new EventQueue();
        const fired: [number, number][] = [];
        let now = 0;
        const target = { fire: (kind: number, ref: unknown) => fired.push([kind, ref as number]) };
        const pending: { t: number; i: number }[] = [];
        const expected: [number, number][] = [];
        const popOne = () => {
          now = q.peekTime();
          pending.sort((a, b) => a.t - b.t || a.i - b.i);
          const e = pending.shift()!;
          expected.push([e.i % 7, e.i]);
          q.popAndFire();
        };
        delays.forEach((d, i) => {
          pending.push({ t: now + d, i });
          q.push(now + d, target, i % 7, i);
          if (i % 3 === 2) popOne();
        });
        while (q.size > 0) popOne();
        expect(fired).toEqual(expected);
      }),
      { seed: 3, numRuns: 10 },
    );
  });
});

describe('EventQueue with events scheduled while firing', () => {
  it('keeps (time, insertion) order when fired events schedule more, many at the same time', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 3 })), { minLength: 1, maxLength: 400 }), (plan) => {
        // Each fired event schedules the next planned one (delay 0 often, so the ring and the heap
        // interleave); a reference list sorted by (time, seq) gives the order one heap would fire.
        const k = new Kernel();
        const fired: number[] = [];
        const reference: { t: number; seq: number; id: number }[] = [];
        let next = 0;
        let seq = 0;
        const schedule = (delay: number) => {
          const id = next++;
          reference.push({ t: k.now() + delay, seq: seq++, id });
          k.after(delay, target, 0, id);
        };
        const target = {
          fire: (_kind: number, ref: unknown) => {
            fired.push(ref as number);
            const [a, b] = plan[(ref as number) % plan.length];
            if (next < plan.length * 2) schedule(a);
            if (next < plan.length * 2 && b === 0) schedule(b);
          },
        };
        for (let i = 0; i < 4; i++) schedule(plan[i % plan.length][0]);
        k.run();
        const expected = [...reference].sort((x, y) => x.t - y.t || x.seq - y.seq).map((x) => x.id);
        expect(fired).toEqual(expected);
      }),
      { seed: 7, numRuns: 300 },
    );
  });
});

describe('Kernel', () => {
  it('advances virtual time to each event and stops on request', () => {
    const k = new Kernel();
    const seen: number[] = [];
    const target = {
      fire: (kind: number) => {
        seen.push(k.now());
        if (kind === 1) k.after(5, target, 2);
        if (kind === 2) k.stop();
      },
    };
    k.after(10, target, 1);
    k.after(100, target, 3);
    k.run();
    expect(seen).toEqual([10, 15]);
    expect(k.pending).toBe(1);
  });

  it('refuses negative delays', () => {
    const k = new Kernel();
    expect(() => k.after(-1, { fire: () => {} }, 0)).toThrow(RangeError);
  });
});

describe('Kernel order with zero delays', () => {
  it('fires in exactly (time, seq) order when handlers schedule several events, zero-delay ones among later ones, and at coinciding times', () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(fc.constantFrom(0, 0, 0, 1, 2, 5), { maxLength: 3 }), { minLength: 1, maxLength: 200 }),
        fc.array(fc.constantFrom(0, 1, 2, 5), { minLength: 1, maxLength: 5 }),
        (plan, initial) => {
          // Event i, when fired, schedules plan[i]'s delays in order; the reference sorts every
          // scheduled event by (time, order of scheduling), which is what one queue would fire.
          const k = new Kernel();
          const fired: number[] = [];
          const reference: { t: number; seq: number; id: number }[] = [];
          let next = 0;
          const schedule = (delay: number) => {
            const id = next++;
            reference.push({ t: k.now() + delay, seq: id, id });
            k.after(delay, target, 0, id);
          };
          const target = {
            fire: (_kind: number, ref: unknown) => {
              fired.push(ref as number);
              for (const d of plan[(ref as number) % plan.length]) if (next < 2000) schedule(d);
            },
          };
          for (const d of initial) schedule(d);
          k.run();
          expect(fired).toEqual([...reference].sort((x, y) => x.t - y.t || x.seq - y.seq).map((x) => x.id));
          expect(k.fired).toBe(reference.length);
        },
      ),
      { seed: 17, numRuns: 400 },
    );
  });

  it('keeps zero-delay events pending across stop() and counts them, and fires them first on the next run', () => {
    const k = new Kernel();
    const seen: string[] = [];
    const target = {
      fire: (kind: number) => {
        seen.push(`${kind}@${k.now()}`);
        if (kind === 1) {
          k.after(0, target, 2);
          k.after(0, target, 3);
          k.stop();
        }
      },
    };
    k.after(10, target, 1);
    k.after(10.5, target, 4);
    k.run();
    expect(seen).toEqual(['1@10']);
    expect(k.pending).toBe(3);
    k.run(10.2);
    expect(seen).toEqual(['1@10', '2@10', '3@10']);
    expect(k.now()).toBe(10.2);
    expect(k.pending).toBe(1);
    // At a time `run(until)` stopped at, a zero delay still fires before the later event.
    k.after(0, target, 5);
    k.run();
    expect(seen).toEqual(['1@10', '2@10', '3@10', '5@10.2', '4@10.5']);
  });

  it('queues a zero delay behind an event already due now (the heap’s head at this very time)', () => {
    const k = new Kernel();
    const seen: number[] = [];
    const target = {
      fire: (kind: number) => {
        seen.push(kind);
        // Kind 1 and 2 are both due at 5; kind 1's zero-delay event comes after kind 2 (smaller seq).
        if (kind === 1) k.after(0, target, 3);
      },
    };
    k.after(5, target, 1);
    k.after(5, target, 2);
    k.run();
    expect(seen).toEqual([1, 2, 3]);
  });
});
