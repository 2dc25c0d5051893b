/**
 * The future half of the event queue: a calendar queue (R. Brown, CACM 31(10), 1988) ordered by
 * (time, seq), for events due later than now.
 *
 * How it works: time is cut into buckets of `width` ms, and bucket ⌊t / width⌋ mod `nb` holds
 * every event of that slot in any "year" (a turn of nb buckets), as a list sorted by (time, seq).
 * The minimum is the head of the first bucket, counting on from the bucket of the last event
 * taken, whose head lies in the slot being looked at; a year with nothing in it ends in a direct
 * search of the heads. A new event has the largest seq so far, so it goes after every event of its
 * bucket with time ≤ its own: mostly that is the tail, one step. Each push and pop is O(1) on
 * average where a heap pays a sift of log₄ n levels, each a branch the CPU cannot predict. The
 * width and the bucket count only decide how fast it is, never the order: a bucket's index and
 * the "is it in this slot" test are the same monotone function of time, ⌊t · (1 / width)⌋, so
 * every event is found in its turn, whatever the layout. When the count leaves [nb/2, 2·nb] the
 * calendar rebuilds itself with nb sized to the count and the width to three times the mean gap
 * between the earliest events (Brown's rule). While it holds 16 events or fewer they sit in one
 * sorted array instead, which costs less than buckets at that size. Events are nodes in typed
 * arrays linked by index; no object is allocated per event.
 *
 * Times are ≥ 0 and never earlier than the last event taken (the kernel's clock never runs back).
 */
/** What an event fires: `target.fire(kind, ref)`. */
export interface EventTarget {
  fire(kind: number, ref: unknown): void;
}

const MIN_BUCKETS = 16;
/** Up to this many events sit in one sorted array instead of buckets; back to it at SMALL_MIN. */
const SMALL_MAX = 16;
const SMALL_MIN = 4;
const INITIAL_NODES = 1024;
/** Events Brown's rule samples from the head to set the width. */
const WIDTH_SAMPLE = 25;
/** Bucket indices stay exact integers (far below 2⁵³) for any width a rebuild picks. */
const MAX_SLOT = 2 ** 52;

export class Calendar {
  // Nodes: each event's keys, its payload, and the next and previous nodes of its bucket (next
  // also links the free list).
  times = new Float64Array(INITIAL_NODES);
  seqs = new Float64Array(INITIAL_NODES);
  kinds = new Int32Array(INITIAL_NODES);
  targets: (EventTarget | undefined)[] = new Array(INITIAL_NODES);
  refs: unknown[] = new Array(INITIAL_NODES);
  private next = new Int32Array(INITIAL_NODES);
  private prev = new Int32Array(INITIAL_NODES);
  private freeHead = -1;
  // Buckets: first and last node of each sorted list (-1: empty).
  private heads = new Int32Array(MIN_BUCKETS).fill(-1);
  private tails = new Int32Array(MIN_BUCKETS).fill(-1);
  private mask = MIN_BUCKETS - 1;
  private inv = 1;
  /** The slot (absolute bucket number) the search starts from; no event lies in an earlier one. */
  private slot = 0;
  /** Time of the last event taken: no later push is earlier. */
  private lastTaken = 0;
  /** The minimum's node while it is known (-1: look again). */
  private found = -1;
  /** Events taken, and searches that found a whole year empty, since the last rebuild. */
  private takes = 0;
  private misses = 0;
  /**
   * Few events (an M/M/1 queue has two or three) cost less in one array sorted by (time, seq),
   * latest first, than in buckets: the minimum is the last entry, and a push shifts the few
   * entries earlier than itself.
   */
  private small = true;
  private order = new Int32Array(SMALL_MAX);
  size = 0;

  constructor() {
    this.linkFree(0, INITIAL_NODES);
  }

  /** Adds an event due at `time` (not earlier than the last event taken) with sequence number `seq`. */
  push(time: number, seq: number, target: EventTarget, kind: number, ref: unknown): void {
    if (this.freeHead === -1) this.growNodes();
    const i = this.freeHead;
    this.freeHead = this.next[i];
    this.times[i] = time;
    this.seqs[i] = seq;
    this.kinds[i] = kind;
    this.targets[i] = target;
    this.refs[i] = ref;
    if (this.small) {
      if (this.size < SMALL_MAX) return this.insertSmall(i, time);
      this.layout(this.sortedSmall());
    }
    // A peek may have moved the search past this event's slot: move it back.
    const s = this.insert(i);
    if (s < this.slot) this.slot = s;
    // Earlier than the known minimum: this event is the minimum now.
    if (this.found !== -1 && time < this.times[this.found]) this.found = i;
    if (++this.size > 2 * (this.mask + 1)) this.rebuild();
  }

  /** The minimum's node; the calendar must not be empty. */
  peek(): number {
    if (this.small) return this.order[this.size - 1];
    return this.found !== -1 ? this.found : (this.found = this.locate());
  }

  /** Removes the minimum (found by `peek`) and frees its node; its fields stay readable until the next push. */
  take(i: number): void {
    this.lastTaken = this.times[i];
    this.targets[i] = undefined;
    this.refs[i] = undefined;
    if (this.small) {
      this.size--;
      this.next[i] = this.freeHead;
      this.freeHead = i;
      return;
    }
    const b = this.slotOf(this.times[i]) & this.mask;
    this.takes++;
    const after = this.next[i];
    this.heads[b] = after;
    if (after === -1) this.tails[b] = -1;
    else this.prev[after] = -1;
    this.next[i] = this.freeHead;
    this.freeHead = i;
    this.found = -1;
    if (--this.size <= SMALL_MIN) this.toSmall();
    else if (this.size < (this.mask + 1) >> 1 && this.mask + 1 > MIN_BUCKETS) this.rebuild();
  }

  /** Places node i in the small array before every entry with time ≤ its own (its seq is the largest). */
  private insertSmall(i: number, time: number): void {
    const order = this.order;
    const times = this.times;
    let j = this.size++;
    while (j > 0 && times[order[j - 1]] <= time) {
      order[j] = order[j - 1];
      j--;
    }
    order[j] = i;
  }

  /** The small array's nodes, earliest first. */
  private sortedSmall(): number[] {
    const nodes: number[] = [];
    for (let j = this.size - 1; j >= 0; j--) nodes.push(this.order[j]);
    return nodes;
  }

  /** Moves every event from the buckets into the small array. */
  private toSmall(): void {
    const nodes = this.sortedBuckets();
    for (let j = 0; j < nodes.length; j++) this.order[nodes.length - 1 - j] = nodes[j];
    this.small = true;
    this.found = -1;
  }

  private slotOf(time: number): number {
    return Math.floor(time * this.inv);
  }

  /**
   * Links node i into its bucket after every node with time ≤ its own (its seq is the largest);
   * returns its slot. A walk from the head alone crossed every event of a burst due at one time
   * behind a later one (50,000 of them took 3.5 s); past eight steps it goes back from the tail.
   */
  private insert(i: number): number {
    const time = this.times[i];
    const s = this.slotOf(time);
    const b = s & this.mask;
    const next = this.next;
    const prev = this.prev;
    const tail = this.tails[b];
    if (tail === -1) {
      this.heads[b] = i;
      this.tails[b] = i;
      next[i] = -1;
      prev[i] = -1;
      return s;
    }
    const times = this.times;
    if (times[tail] <= time) {
      next[tail] = i;
      prev[i] = tail;
      next[i] = -1;
      this.tails[b] = i;
      return s;
    }
    // The last node due no later than this one (-1: none), and the one after it: a few steps from
    // the head (where the events of this year are; later years' follow them), then back from the tail.
    let c = -1;
    let after = this.heads[b];
    for (let k = 0; k < 8 && times[after] <= time; k++) {
      c = after;
      after = next[after];
    }
    if (times[after] <= time) {
      c = prev[tail];
      while (times[c] > time) c = prev[c];
      after = next[c];
    }
    next[i] = after;
    prev[i] = c;
    prev[after] = i;
    if (c === -1) this.heads[b] = i;
    else next[c] = i;
    return s;
  }

  /** Finds the minimum: the first slot from the current one whose bucket's head lies in it. */
  private locate(): number {
    const heads = this.heads;
    const times = this.times;
    const mask = this.mask;
    const inv = this.inv;
    let s = this.slot;
    for (let k = 0; k <= mask; k++, s++) {
      const h = heads[s & mask];
      if (h !== -1 && Math.floor(times[h] * inv) <= s) {
        this.slot = s;
        return h;
      }
    }
    // A whole year without an event: the minimum is the least of the buckets' heads.
    let best = -1;
    for (let b = 0; b <= mask; b++) {
      const h = heads[b];
      if (h !== -1 && (best === -1 || times[h] < times[best] || (times[h] === times[best] && this.seqs[h] < this.seqs[best]))) best = h;
    }
    const at = this.slotOf(times[best]);
    // Only events at Infinity are left when `best` is one: the slot stays where it was.
    if (at < MAX_SLOT) this.slot = at;
    // Years keep passing empty: the width is too small for how sparse the events are now (the
    // count alone never asked for a rebuild). `best` is the minimum in any layout, so it stays the answer.
    if (++this.misses >= 8 && this.misses * 4 > this.takes) this.rebuild();
    return best;
  }

  /** Re-lays every event of the buckets with nb sized to the count and the width from the earliest gaps. */
  private rebuild(): void {
    this.layout(this.sortedBuckets());
  }

  /** The buckets' nodes in (time, seq) order. */
  private sortedBuckets(): number[] {
    const nodes: number[] = [];
    for (let b = 0; b <= this.mask; b++) for (let i = this.heads[b]; i !== -1; i = this.next[i]) nodes.push(i);
    const times = this.times;
    const seqs = this.seqs;
    return nodes.sort((a, b) => times[a] - times[b] || seqs[a] - seqs[b]);
  }

  /** Lays `nodes` (in (time, seq) order) into fresh buckets sized for them. */
  private layout(nodes: number[]): void {
    const times = this.times;
    this.small = false;
    let nb = MIN_BUCKETS;
    while (nb < nodes.length) nb *= 2;
    // Brown's rule: three times the mean gap between the earliest events (finite ones); with one
    // such event, or all at one time, the gap from the last event taken.
    let k = Math.min(nodes.length, WIDTH_SAMPLE);
    while (k > 0 && !Number.isFinite(times[nodes[k - 1]])) k--;
    let gap = k > 1 ? (times[nodes[k - 1]] - times[nodes[0]]) / (k - 1) : 0;
    if (!(gap > 0) && k > 0) gap = (times[nodes[k - 1]] - this.lastTaken) / k;
    let width = gap > 0 ? 3 * gap : 1 / this.inv;
    // Slot numbers of times up to 2⁴⁰ widths ahead stay exact integers.
    const far = k > 0 ? times[nodes[k - 1]] : this.lastTaken;
    if (Number.isFinite(far) && far / width > 2 ** 40) width = far / 2 ** 40;
    this.inv = 1 / width;
    this.mask = nb - 1;
    this.heads = new Int32Array(nb).fill(-1);
    this.tails = new Int32Array(nb).fill(-1);
    // From the last event taken: every pending event, and every later push, lies in its slot or after.
    this.slot = this.slotOf(this.lastTaken);
    for (const i of nodes) this.insert(i);
    this.found = -1;
    this.takes = 0;
    this.misses = 0;
  }

  private growNodes(): void {
    const old = this.times.length;
    const cap = old * 2;
    const grow = <T extends Float64Array | Int32Array>(a: T, make: (n: number) => T): T => {
      const b = make(cap);
      b.set(a);
      return b;
    };
    this.times = grow(this.times, (n) => new Float64Array(n));
    this.seqs = grow(this.seqs, (n) => new Float64Array(n));
    this.kinds = grow(this.kinds, (n) => new Int32Array(n));
    this.next = grow(this.next, (n) => new Int32Array(n));
    this.prev = grow(this.prev, (n) => new Int32Array(n));
    this.targets.length = cap;
    this.refs.length = cap;
    this.linkFree(old, cap);
  }

  /** Puts nodes from..to-1 on the free list. */
  private linkFree(from: number, to: number): void {
    for (let i = from; i < to - 1; i++) this.next[i] = i + 1;
    this.next[to - 1] = this.freeHead;
    this.freeHead = from;
  }
}
