/**
 * The event queue: a binary min-heap ordered by (time, seq). The sequence number is the insertion
 * order, so two events at the same virtual time always fire in the order they were scheduled,
 * whatever the heap's shape (determinism contract, rule 2). Keys live in typed arrays and the
 * payloads in parallel plain arrays: no object is allocated per event.
 */
export interface EventTarget {
  fire(kind: number, ref: unknown): void;
}

export class EventQueue {
  private times = new Float64Array(1024);
  private seqs = new Float64Array(1024);
  private targets: (EventTarget | undefined)[] = new Array(1024);
  private kinds = new Int32Array(1024);
  private refs: unknown[] = new Array(1024);
  private n = 0;
  private nextSeq = 0;

  get size(): number {
    return this.n;
  }

  push(time: number, target: EventTarget, kind: number, ref: unknown): void {
    if (this.n === this.times.length) this.grow();
    let i = this.n++;
    const seq = this.nextSeq++;
    // Sift up.
    while (i > 0) {
      const p = (i - 1) >> 1;
      const pt = this.times[p];
      if (pt < time || (pt === time && this.seqs[p] < seq)) break;
      this.move(p, i);
      i = p;
    }
    this.times[i] = time;
    this.seqs[i] = seq;
    this.targets[i] = target;
    this.kinds[i] = kind;
    this.refs[i] = ref;
  }

  /** Time of the earliest event; Infinity when empty. */
  peekTime(): number {
    return this.n === 0 ? Infinity : this.times[0];
  }

  /** Removes the earliest event and fires it. */
  popAndFire(): void {
    const target = this.targets[0]!;
    const kind = this.kinds[0];
    const ref = this.refs[0];
    const last = --this.n;
    if (last > 0) {
      const time = this.times[last];
      const seq = this.seqs[last];
      const lt = this.targets[last];
      const lk = this.kinds[last];
      const lr = this.refs[last];
      let i = 0;
      for (;;) {
        let c = 2 * i + 1;
        if (c >= last) break;
        const r = c + 1;
        if (r < last && (this.times[r] < this.times[c] || (this.times[r] === this.times[c] && this.seqs[r] < this.seqs[c]))) c = r;
        const ct = this.times[c];
        if (time < ct || (time === ct && seq < this.seqs[c])) break;
        this.move(c, i);
        i = c;
      }
      this.times[i] = time;
      this.seqs[i] = seq;
      this.targets[i] = lt;
      this.kinds[i] = lk;
      this.refs[i] = lr;
    }
    this.targets[last] = undefined;
    this.refs[last] = undefined;
    target.fire(kind, ref);
  }

  private move(from: number, to: number): void {
    this.times[to] = this.times[from];
    this.seqs[to] = this.seqs[from];
    this.targets[to] = this.targets[from];
    this.kinds[to] = this.kinds[from];
    this.refs[to] = this.refs[from];
  }

  private grow(): void {
    const cap = this.times.length * 2;
    const t = new Float64Array(cap);
    t.set(this.times);
    this.times = t;
    const s = new Float64Array(cap);
    s.set(this.seqs);
    this.seqs = s;
    const k = new Int32Array(cap);
    k.set(this.kinds);
    this.kinds = k;
    this.targets.length = cap;
    this.refs.length = cap;
  }
}
