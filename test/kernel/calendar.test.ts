import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { EventQueue } from '../../src/kernel/queue.js';

/**
 * Drives an EventQueue with `ops` (a delay ≥ 0 pushes an event at now + delay; -1 pops one; -2
 * only looks at the earliest, as the kernel's loop does before it decides) and checks every pop
 * against a reference list sorted by (time, seq): the event, its kind and its ref.
 */
function checkAgainstReference(ops: number[]): void {
  const q = new EventQueue();
  const pending: { t: number; seq: number }[] = [];
  let now = 0;
  let seq = 0;
  let fired: [number, number] | undefined;
  const target = { fire: (kind: number, ref: unknown) => (fired = [kind, ref as number]) };
  const popOne = () => {
    pending.sort((a, b) => a.t - b.t || a.seq - b.seq);
    const e = pending.shift()!;
    expect(q.peekTime()).toBe(e.t);
    q.popAndFire();
    expect(fired).toEqual([e.seq % 5, e.seq]);
    now = e.t;
  };
  for (const op of ops) {
    if (op === -2) {
      const least = pending.reduce((m, e) => Math.min(m, e.t), Infinity);
      expect(q.peekTime()).toBe(least);
      continue;
    }
    if (op < 0) {
      if (pending.length > 0) popOne();
      continue;
    }
    pending.push({ t: now + op, seq });
    q.push(now + op, target, seq % 5, seq);
    seq++;
    expect(q.size).toBe(pending.length);
  }
  while (pending.length > 0) popOne();
  expect(q.size).toBe(0);
}

/** Delays over nine decades, exact ties (integers, zero) among them. */
const delay = fc.oneof(
  fc.constant(0),
  fc.integer({ min: 1, max: 5 }),
  fc.double({ min: 1e-3, max: 1e6, noNaN: true }),
  fc.double({ min: 0.5, max: 2, noNaN: true }),
);

describe('EventQueue as a calendar', () => {
  it('pops in (time, seq) order whatever the delays, across its small array, its buckets and every resize', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof({ weight: 3, arbitrary: delay }, { weight: 2, arbitrary: fc.constant(-1) }, { weight: 1, arbitrary: fc.constant(-2) }), { minLength: 1, maxLength: 3000 }), (ops) =>
        checkAgainstReference(ops),
      ),
      { seed: 23, numRuns: 150 },
    );
  });

  it('keeps the order through a burst that grows the buckets and a drain that shrinks them back', () => {
    fc.assert(
      fc.property(fc.array(delay, { minLength: 200, maxLength: 2000 }), fc.array(delay, { minLength: 1, maxLength: 50 }), (burst, tail) => {
        // Push a burst, drain all but a few (small array again), then interleave.
        const ops = [...burst, ...burst.slice(3).map(() => -1), ...tail.flatMap((d) => [d, -2, d / 2, -1, d])];
        checkAgainstReference(ops);
      }),
      { seed: 29, numRuns: 40 },
    );
  });

  it('finds events far beyond the width it set for a dense stretch, and many at one future time in seq order', () => {
    // 500 events within 1 ms set a fine width; then events a day apart, and 300 due at one instant.
    const ops: number[] = [];
    for (let i = 0; i < 500; i++) ops.push(i * 0.002);
    for (let i = 0; i < 100; i++) ops.push(86_400_000 * (1 + (i % 7)), -1);
    for (let i = 0; i < 300; i++) ops.push(5_000);
    for (let i = 0; i < 200; i++) ops.push(-1, 1e-3 * i, -1);
    checkAgainstReference(ops);
  });

  it('finds events pushed earlier than a minimum it already looked up', () => {
    // 40 events at 1000–1039 put the calendar in buckets; a look at the earliest moves its search
    // there; two later pushes are earlier than that, and both must come out first.
    const ops: number[] = [];
    for (let i = 0; i < 40; i++) ops.push(1000 + i);
    ops.push(-2, 500, 600, -1, -1, -1);
    checkAgainstReference(ops);
  });

  it('keeps seq order in a long burst due at one time behind a later event, and in a cluster pushed latest first', () => {
    const ops: number[] = [1000.5];
    for (let i = 0; i < 20; i++) ops.push(2000 + i);
    for (let i = 0; i < 3000; i++) ops.push(1000);
    for (let i = 0; i < 3000; i++) ops.push(900 - i * 1e-6);
    for (let i = 0; i < 100; i++) ops.push(-1, 950, -2);
    checkAgainstReference(ops);
  });

  it('fires events at Infinity last, after every finite one, in the order they were scheduled', () => {
    const q = new EventQueue();
    const fired: number[] = [];
    const target = { fire: (_k: number, ref: unknown) => fired.push(ref as number) };
    const times = [Infinity, 5, Infinity, 1, 3e9, 2, Infinity];
    for (let i = 0; i < 40; i++) times.push(10 + i);
    times.forEach((t, i) => q.push(t, target, 0, i));
    while (q.size > 0) q.popAndFire();
    const expected = times.map((t, i) => ({ t, i })).sort((a, b) => (a.t === b.t ? a.i - b.i : a.t < b.t ? -1 : 1)).map((x) => x.i);
    expect(fired).toEqual(expected);
  });
});
