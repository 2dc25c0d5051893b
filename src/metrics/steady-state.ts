/**
 * Attempt latencies of a neutral pass, kept by when each attempt was sent, so the warm-up and the
 * drain can be cut away after the run — percentiles of the steady state only.
 *
 * How it works: time is cut into at most `maxSegments` equal segments, each with one latency
 * histogram per tool (by the attempt's send time) and its mean. When the run outgrows them, pairs
 * merge and the segment length doubles, so memory is bounded whatever the run's length. Afterwards
 * `window` picks the measured segments: from the warm-up cut — the MSER truncation point of the
 * series of segment means (White 1997; MSER-5, its form on batches of five observations, ranks
 * first among warm-up rules in Hoad, Robinson & Davies 2010; here a batch is a segment), or a
 * fixed warm-up — to the last segment that ends before the workload stopped starting workflows
 * (the drain after it runs at falling load).
 */
import { FastHistogram } from './fast-histogram.js';
import { newHistogram, type Histogram } from './hdr.js';

interface Segment {
  hist: FastHistogram[];
  sumMs: number;
  count: number;
}

export interface SteadyWindow {
  /** Per tool: attempt latency (µs) of attempts sent inside the window. */
  histograms: Histogram[];
  fromMs: number;
  toMs: number;
  /** How the start was chosen: MSER-5, the scenario's fixed warm-up, or not at all (too few segments to tell). */
  warmup: 'auto' | 'fixed' | 'none';
  /**
   * Relative rise of the mean attempt latency from the window's first quarter to its last: near 0
   * in a steady state, large when the load exceeds capacity and the queue grows through the run.
   */
  drift: number;
}

/** A window whose mean latency rose more than this from its first quarter to its last is not a steady state. */
export const MAX_STEADY_DRIFT = 0.1;

/** Segments before the measured window is judged too short to cut a warm-up from. */
const MIN_SEGMENTS = 6;

export class SteadyStateRecorder {
  private segments: Segment[] = [];
  /** The latest workflow start seen: the workload stopped starting workflows then. */
  lastStartAt = 0;

  constructor(
    private readonly tools: number,
    private segmentMs: number,
    private readonly maxSegments = 32,
  ) {
    if (!(segmentMs > 0)) throw new RangeError('segmentMs must be > 0');
    if (!(Number.isInteger(maxSegments) && maxSegments >= 2 && maxSegments % 2 === 0)) throw new RangeError('maxSegments must be an even integer ≥ 2');
  }

  get segmentLength(): number {
    return this.segmentMs;
  }

  workflowStarted(t: number): void {
    if (t > this.lastStartAt) this.lastStartAt = t;
  }

  /** One completed attempt of `tool`, sent at `sentAt`, that took `latencyMs`. */
  attempt(tool: number, sentAt: number, latencyMs: number): void {
    let i = Math.floor(sentAt / this.segmentMs);
    while (i >= this.maxSegments) {
      this.coarsen();
      i = Math.floor(sentAt / this.segmentMs);
    }
    const segs = this.segments;
    while (segs.length <= i) segs.push({ hist: Array.from({ length: this.tools }, () => new FastHistogram()), sumMs: 0, count: 0 });
    const s = segs[i];
    s.hist[tool].recordValue(Math.round(latencyMs * 1000));
    s.sumMs += latencyMs;
    s.count++;
  }

  /** Merges neighbouring segments: half as many, twice as long. */
  private coarsen(): void {
    const out: Segment[] = [];
    for (let i = 0; i < this.segments.length; i += 2) {
      const a = this.segments[i];
      const b = this.segments[i + 1];
      if (b) {
        a.hist.forEach((h, t) => h.add(b.hist[t]));
        a.sumMs += b.sumMs;
        a.count += b.count;
      }
      out.push(a);
    }
    this.segments = out;
    this.segmentMs *= 2;
  }

  /**
   * The steady-state window: warm-up cut (`auto` or a fixed time in ms, never past `latestFromMs`)
   * to the end of the arrivals.
   */
  window(warmup: 'auto' | number, latestFromMs = Infinity): SteadyWindow {
    const L = this.segmentMs;
    // Segments wholly before the workload stopped starting workflows.
    let end = Math.min(this.segments.length, Math.floor(this.lastStartAt / L));
    if (end < 1) end = this.segments.length;
    let from = 0;
    let how: SteadyWindow['warmup'] = 'none';
    if (typeof warmup === 'number') {
      from = Math.min(Math.ceil(warmup / L), end - 1);
      how = 'fixed';
    } else if (end >= MIN_SEGMENTS) {
      const means = this.segments.slice(0, end).map((s) => (s.count > 0 ? s.sumMs / s.count : NaN));
      from = mserTruncation(means);
      how = 'auto';
    }
    from = Math.max(0, Math.min(from, Math.floor(latestFromMs / L)));
    const histograms = Array.from({ length: this.tools }, (_, t) => {
      const h = newHistogram();
      for (let i = from; i < end; i++) this.segments[i].hist[t].addTo(h);
      // A tool never called inside the window: fall back to every attempt it made.
      if (h.totalCount === 0) for (const s of this.segments) s.hist[t].addTo(h);
      return h;
    });
    return { histograms, fromMs: from * L, toMs: end * L, warmup: how, drift: this.drift(from, end) };
  }

  private drift(from: number, end: number): number {
    const q = Math.max(1, Math.floor((end - from) / 4));
    const mean = (a: number, b: number) => {
      let sum = 0;
      let n = 0;
      for (let i = a; i < b; i++) {
        sum += this.segments[i].sumMs;
        n += this.segments[i].count;
      }
      return n > 0 ? sum / n : 0;
    };
    const first = mean(from, Math.min(end, from + q));
    const last = mean(Math.max(from, end - q), end);
    return first > 0 ? Math.round(((last - first) / first) * 1e4) / 1e4 : 0;
  }
}

/**
 * MSER truncation point: the d ∈ [0, n/2] minimising Σ_{i ≥ d} (Yᵢ − Ȳ_d)² ÷ (n − d)², where Ȳ_d
 * is the mean of the observations from d on. Missing observations (NaN) are skipped.
 */
export function mserTruncation(ys: readonly number[]): number {
  const n = ys.length;
  let best = 0;
  let bestScore = Infinity;
  for (let d = 0; d <= Math.floor(n / 2); d++) {
    let sum = 0;
    let k = 0;
    for (let i = d; i < n; i++) {
      if (Number.isNaN(ys[i])) continue;
      sum += ys[i];
      k++;
    }
    if (k < 2) break;
    const mean = sum / k;
    let ss = 0;
    for (let i = d; i < n; i++) if (!Number.isNaN(ys[i])) ss += (ys[i] - mean) ** 2;
    const score = ss / (k * k);
    if (score < bestScore) {
      bestScore = score;
      best = d;
    }
  }
  return best;
}
