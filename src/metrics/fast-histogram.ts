/**
 * A recording front-end for HdrHistogram. hdr-histogram-js computes each value's bucket with
 * Math.log2 and Math.pow, which made recording a fifth of the simulator's time; this class counts
 * into exactly the same log-linear buckets (3 significant digits: sub-bucket half count 2^10,
 * unit 1) using clz32 and shifts, and hands the counts to a real HdrHistogram when asked. The
 * counts, and so every percentile, the mean and the encoded form, are identical to recording each
 * value in the HdrHistogram directly (test/metrics/fast-histogram.test.ts checks it).
 */
import { newHistogram, type Histogram } from './hdr.js';

const HALF_MAG = 10;

/** TypedArrayHistogram's count updates (public in the JS class, not in its interface). */
interface DirectCounts {
  addToCountAtIndex(index: number, value: number): void;
  addToTotalCount(value: number): void;
}
const HALF = 1 << HALF_MAG;

export class FastHistogram {
  private counts = new Float64Array(HALF * 8);
  private total = 0;
  /** Exact extremes: HdrHistogram tracks the raw max and min, not their buckets' bounds. */
  private max = -1;
  private min = Infinity;

  get totalCount(): number {
    return this.total;
  }

  /** Records a non-negative integer value. */
  recordValue(value: number): void {
    const index = FastHistogram.indexOf(value);
    if (index >= this.counts.length) this.grow(index);
    this.counts[index]++;
    this.total++;
    if (value > this.max) this.max = value;
    if (value < this.min && value > 0) this.min = value;
  }

  private grow(index: number): void {
    let size = this.counts.length;
    while (size <= index) size *= 2;
    const next = new Float64Array(size);
    next.set(this.counts);
    this.counts = next;
  }

  /** The lowest value that lands in `index` (any value of the bucket maps back to it). */
  private static valueAt(index: number): number {
    if (index < HALF * 2) return index;
    const bucket = Math.floor(index / HALF) - 1;
    const sub = (index % HALF) + HALF;
    return sub * 2 ** bucket;
  }

  /** One past the highest index that can hold a count: every bucket above the max's is empty. */
  private get end(): number {
    return this.max >= 0 ? FastHistogram.indexOf(this.max) + 1 : 0;
  }

  /**
   * Adds another front-end's counts into this one (exact: the same buckets). Only up to the other's
   * max: the arrays run to 8192 buckets or more, most of them empty, and the calibration pass's
   * steady-state recorder merged whole arrays every time its segments doubled (2 % of the reference).
   */
  add(other: FastHistogram): void {
    const end = other.end;
    if (end > this.counts.length) this.grow(end - 1);
    const c = this.counts;
    const o = other.counts;
    for (let i = 0; i < end; i++) c[i] += o[i];
    this.total += other.total;
    if (other.max > this.max) this.max = other.max;
    if (other.min < this.min) this.min = other.min;
  }

  /** Adds the counts into an HdrHistogram; the extremes go in as themselves so its max and min are exact. */
  addTo(h: Histogram): Histogram {
    const c = this.counts;
    let maxIndex = -1;
    let minIndex = -1;
    if (this.max >= 0) {
      maxIndex = FastHistogram.indexOf(this.max);
      h.recordValue(this.max);
    }
    if (this.min < Infinity && this.min !== this.max) {
      minIndex = FastHistogram.indexOf(this.min);
      h.recordValue(this.min);
    }
    // The rest of each bucket goes in at the bucket's lowest value. Recording it would find the
    // same index and update the extremes; the max already recorded is above every such value, so
    // only buckets up to the first non-zero value can still lower the min: those are recorded, the
    // others added straight into the counts (recording each cost a log2 and a pow).
    const direct = h as unknown as DirectCounts;
    let settled = false;
    // Nothing lies above the max's bucket.
    for (let i = 0; i <= maxIndex; i++) {
      const n = c[i] - (i === maxIndex ? 1 : 0) - (i === minIndex ? 1 : 0);
      if (!(n > 0)) continue;
      if (!settled) {
        const v = FastHistogram.valueAt(i);
        h.recordValueWithCount(v, n);
        settled = v !== 0;
      } else {
        direct.addToCountAtIndex(i, n);
        direct.addToTotalCount(n);
      }
    }
    return h;
  }

  /** HdrHistogram's counts index of a value, computed with integer operations. */
  private static indexOf(value: number): number {
    if (value < 4294967296) {
      const v = value >>> 0;
      const bucket = v < HALF * 2 ? 0 : 31 - Math.clz32(v) - HALF_MAG;
      return bucket === 0 ? v : (bucket + 1) * HALF + (v >>> bucket) - HALF;
    }
    const bucket = Math.floor(Math.log2(value)) - HALF_MAG;
    return (bucket + 1) * HALF + Math.floor(value / 2 ** bucket) - HALF;
  }

  toHdr(): Histogram {
    return this.addTo(newHistogram());
  }
}
