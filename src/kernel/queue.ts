/**
 * The event queue, ordered by (time, seq). The sequence number is the insertion order, so two
 * events at the same virtual time always fire in the order they were scheduled, whatever the
 * layout (determinism contract, rule 2).
 *
 * How it works: most events a simulation schedules are due at the current time (a zero-latency
 * hop, a zero-length turn, a resumed caller). Those go to a FIFO ring: they all carry the time of
 * the event being fired, and their sequence numbers only grow, so the ring is already in (time,
 * seq) order. Everything later goes to a calendar queue (kernel/calendar.ts), which replaced a
 * 4-ary heap: with the reference's ~170 pending events a heap pop cost ~50 ns of sifting, most of
 * it branches the CPU cannot predict, and the calendar's pop is O(1) (the reference's 10× steady state
 * 8–10 % faster). Popping takes whichever head is smaller by (time, seq), so the order is exactly
 * that of one heap. No object is allocated per event.
 */
import { Calendar, type EventTarget } from './calendar.js';

export type { EventTarget };

const INITIAL = 1024;

export class EventQueue {
  /** Events due later than `current`. */
  private readonly cal = new Calendar();
  // The ring of events due at `current` (capacity a power of two).
  private fSeqs = new Float64Array(INITIAL);
  private fTargets: (EventTarget | undefined)[] = new Array(INITIAL);
  private fKinds = new Int32Array(INITIAL);
  private fRefs: unknown[] = new Array(INITIAL);
  private fHead = 0;
  private fCount = 0;
  /** Time of the last event popped: what a push at that very time joins the ring for. */
  private current = 0;
  /**
   * The calendar holds an event due at `current` (whose seq may precede the ring's head). Only a
   * calendar pop moves `current`, and every event the calendar takes in is due later than it, so
   * this is settled once per calendar pop: a ring pop needs no look at the calendar otherwise.
   */
  private calTie = false;
  private nextSeq = 0;

  get size(): number {
    return this.cal.size + this.fCount;
  }

  /** Adds an event; `time` is never earlier than the last event popped (the kernel's now). */
  push(time: number, target: EventTarget, kind: number, ref: unknown): void {
    const seq = this.nextSeq++;
    if (time === this.current) {
      if (this.fCount === this.fSeqs.length) this.growRing();
      const j = (this.fHead + this.fCount++) & (this.fSeqs.length - 1);
      this.fSeqs[j] = seq;
      this.fTargets[j] = target;
      this.fKinds[j] = kind;
      this.fRefs[j] = ref;
      return;
    }
    this.cal.push(time, seq, target, kind, ref);
  }

  /** Time of the earliest event; Infinity when empty. */
  peekTime(): number {
    if (this.fCount > 0) return this.current;
    return this.cal.size === 0 ? Infinity : this.cal.times[this.cal.peek()];
  }

  /**
   * Time of the earliest event of a queue that is not empty: the kernel's loop reads this, not
   * `peekTime`, whose Infinity for an empty queue made the optimised loop box every time it read
   * (16 B per event).
   */
  headTime(): number {
    return this.fCount > 0 ? this.current : this.cal.times[this.cal.peek()];
  }

  /** Removes the earliest event and fires it. */
  popAndFire(): void {
    const cal = this.cal;
    if (this.fCount > 0 && (!this.calTie || cal.seqs[cal.peek()] > this.fSeqs[this.fHead])) {
      const j = this.fHead;
      const target = this.fTargets[j]!;
      const kind = this.fKinds[j];
      const ref = this.fRefs[j];
      this.fTargets[j] = undefined;
      this.fRefs[j] = undefined;
      this.fHead = (j + 1) & (this.fSeqs.length - 1);
      this.fCount--;
      target.fire(kind, ref);
      return;
    }
    const m = cal.peek();
    const target = cal.targets[m]!;
    const kind = cal.kinds[m];
    const ref = cal.refs[m];
    const now = cal.times[m];
    this.current = now;
    cal.take(m);
    this.calTie = cal.size > 0 && cal.times[cal.peek()] === now;
    target.fire(kind, ref);
  }

  /** Doubles the ring, unwrapping it so the head sits at slot 0. */
  private growRing(): void {
    const cap = this.fSeqs.length;
    const seqs = new Float64Array(cap * 2);
    const targets: (EventTarget | undefined)[] = new Array(cap * 2);
    const kinds = new Int32Array(cap * 2);
    const refs: unknown[] = new Array(cap * 2);
    for (let k = 0; k < this.fCount; k++) {
      const j = (this.fHead + k) & (cap - 1);
      seqs[k] = this.fSeqs[j];
      targets[k] = this.fTargets[j];
      kinds[k] = this.fKinds[j];
      refs[k] = this.fRefs[j];
    }
    this.fSeqs = seqs;
    this.fTargets = targets;
    this.fKinds = kinds;
    this.fRefs = refs;
    this.fHead = 0;
  }
}
