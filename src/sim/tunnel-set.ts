/**
 * The attempts inside the tunnel, in the order they entered: a set the world adds to and deletes
 * from on every attempt, and reads in full only when the connector drops.
 *
 * Why not a `Set`: V8 rehashes a Set's table as deletions pile up, and the obsolete table keeps
 * both its entries and a pointer to its successor (for live iterators). Once one of those tables
 * reached the old generation, each dead table kept the next one — and every attempt in it, with
 * its call, workflow and ledger — alive through every scavenge, so most of the M/M/1 run's
 * per-customer objects were promoted and collected only by mark-compacts. Here each member holds
 * its slot in a plain array; a deletion empties the slot, and the array is compacted, in order,
 * once the empty slots outnumber the members.
 */
import type { SimAttempt } from './attempt.js';

/** Compaction waits for at least this many empty slots, so a nearly empty set is not compacted on every deletion. */
const MIN_HOLES = 64;

export class TunnelSet {
  private slots: (SimAttempt | undefined)[] = [];
  private members = 0;

  get size(): number {
    return this.members;
  }

  /** Adds `a` at the end; an attempt already inside keeps its place. */
  add(a: SimAttempt): void {
    if (a.tunnelSlot >= 0) return;
    a.tunnelSlot = this.slots.length;
    this.slots.push(a);
    this.members++;
  }

  delete(a: SimAttempt): void {
    const i = a.tunnelSlot;
    if (i < 0) return;
    this.slots[i] = undefined;
    a.tunnelSlot = -1;
    this.members--;
    const holes = this.slots.length - this.members;
    if (holes >= MIN_HOLES && holes > this.members) this.compact();
  }

  /** Empties the set; returns its members in the order they entered. */
  takeAll(): SimAttempt[] {
    const out: SimAttempt[] = [];
    for (const a of this.slots) {
      if (a === undefined) continue;
      a.tunnelSlot = -1;
      out.push(a);
    }
    this.slots = [];
    this.members = 0;
    return out;
  }

  private compact(): void {
    const slots = this.slots;
    let j = 0;
    for (let i = 0; i < slots.length; i++) {
      const a = slots[i];
      if (a === undefined) continue;
      a.tunnelSlot = j;
      slots[j++] = a;
    }
    slots.length = j;
  }
}
