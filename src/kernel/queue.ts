/**
 * The event queue, ordered by (time, seq). The sequence number is the insertion order, so two
 * events at the same virtual time always fire in the order they were scheduled, whatever the
 * heap's shape (determinism contract, rule 2).
 *
 * How it works: most events a simulation schedules are due at the current time (a zero-latency
 * hop, a zero-length turn, a resumed caller). Those go to a FIFO ring: they all carry the time of
 * the event being fired, and their sequence numbers only grow, so the ring is already in (time,
 * seq) order. Everything later goes to a 4-ary min-heap (shallower than a binary one: fewer cache
 * misses per sift). Popping takes whichever head is smaller by (time, seq), so the order is
 * exactly that of one heap. The heap's entries are typed-array keys (time, seq) and a payload slot;
 * each heap event's target, kind and ref are written once into its slot and stay there while the
 * keys sift, so a sift moves numbers only (no pointer stores, so no write barriers). No object is
 * allocated per event.
 */
export interface EventTarget {
  fire(kind: number, ref: unknown): void;
}

const INITIAL = 1024;

export class EventQueue {
  // The heap: keys and the payload slot of each entry.
  private times = new Float64Array(INITIAL);
  private seqs = new Float64Array(INITIAL);
  private slots = new Int32Array(INITIAL);
  private n = 0;
  // Payloads of heap events by slot, and the free slots (a stack; the heap never holds more
  // events than there are slots, so a slot is free whenever the heap has room).
  private targets: (EventTarget | undefined)[] = new Array(INITIAL);
  private kinds = new Int32Array(INITIAL);
  private refs: unknown[] = new Array(INITIAL);
  private free = Int32Array.from({ length: INITIAL }, (_, i) => INITIAL - 1 - i);
  private nFree = INITIAL;
  // The ring of events due at `current` (capacity a power of two).
  private fSeqs = new Float64Array(INITIAL);
  private fTargets: (EventTarget | undefined)[] = new Array(INITIAL);
  private fKinds = new Int32Array(INITIAL);
  private fRefs: unknown[] = new Array(INITIAL);
  private fHead = 0;
  private fCount = 0;
  /** Time of the last event popped: what a push at that very time joins the ring for. */
  private current = 0;
  private nextSeq = 0;

  get size(): number {
    return this.n + this.fCount;
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
    if (this.n === this.times.length) this.grow();
    const slot = this.free[--this.nFree];
    this.targets[slot] = target;
    this.kinds[slot] = kind;
    this.refs[slot] = ref;
    const times = this.times;
    const seqs = this.seqs;
    const slots = this.slots;
    let i = this.n++;
    // Sift up: a new event has the largest seq, so it stops below any parent with time ≤ its own.
    while (i > 0) {
      const p = (i - 1) >> 2;
      if (times[p] <= time) break;
      times[i] = times[p];
      seqs[i] = seqs[p];
      slots[i] = slots[p];
      i = p;
    }
    times[i] = time;
    seqs[i] = seq;
    slots[i] = slot;
  }

  /** Time of the earliest event; Infinity when empty. */
  peekTime(): number {
    if (this.fCount > 0) return this.current;
    return this.n === 0 ? Infinity : this.times[0];
  }

  /**
   * Time of the earliest event of a queue that is not empty: the kernel's loop reads this, not
   * `peekTime`, whose Infinity for an empty queue made the optimised loop box every time it read
   * (16 B per event).
   */
  headTime(): number {
    return this.fCount > 0 ? this.current : this.times[0];
  }

  /** Removes the earliest event and fires it. */
  popAndFire(): void {
    if (this.fCount > 0 && (this.n === 0 || this.times[0] > this.current || this.seqs[0] > this.fSeqs[this.fHead])) {
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
    const slot = this.slots[0];
    const target = this.targets[slot]!;
    const kind = this.kinds[slot];
    const ref = this.refs[slot];
    this.targets[slot] = undefined;
    this.refs[slot] = undefined;
    this.free[this.nFree++] = slot;
    this.current = this.times[0];
    const last = --this.n;
    if (last > 0) this.siftDown(last);
    target.fire(kind, ref);
  }

  /** Moves the event at `last` into the root's place and sifts it down among the first `last` slots. */
  private siftDown(last: number): void {
    const times = this.times;
    const seqs = this.seqs;
    const slots = this.slots;
    const time = times[last];
    const seq = seqs[last];
    const slot = slots[last];
    let i = 0;
    for (;;) {
      const first = 4 * i + 1;
      if (first >= last) break;
      // The smallest of up to four children by (time, seq).
      let c = first;
      let ct = times[first];
      let cs = seqs[first];
      const end = first + 4 < last ? first + 4 : last;
      for (let k = first + 1; k < end; k++) {
        const kt = times[k];
        if (kt < ct || (kt === ct && seqs[k] < cs)) {
          c = k;
          ct = kt;
          cs = seqs[k];
        }
      }
      if (time < ct || (time === ct && seq < cs)) break;
      times[i] = ct;
      seqs[i] = cs;
      slots[i] = slots[c];
      i = c;
    }
    times[i] = time;
    seqs[i] = seq;
    slots[i] = slot;
  }

  /** Doubles the heap and the slots; called when the heap is full, so every slot is taken. */
  private grow(): void {
    const old = this.times.length;
    const cap = old * 2;
    const t = new Float64Array(cap);
    t.set(this.times);
    this.times = t;
    const s = new Float64Array(cap);
    s.set(this.seqs);
    this.seqs = s;
    const sl = new Int32Array(cap);
    sl.set(this.slots);
    this.slots = sl;
    const k = new Int32Array(cap);
    k.set(this.kinds);
    this.kinds = k;
    this.targets.length = cap;
    this.refs.length = cap;
    // The new slots, old..cap-1, are all free.
    const free = new Int32Array(cap);
    for (let j = 0; j < old; j++) free[j] = cap - 1 - j;
    this.free = free;
    this.nFree = old;
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
