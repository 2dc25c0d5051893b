/**
 * Finagle's WindowedAdder in virtual time: a sum over the last `range` ms, kept in `slices` slices
 * so old additions fall out as time passes. An addition lands in the slice of its time; the sum
 * covers the current slice and the `slices − 1` before it.
 */
export class WindowedAdder {
  private readonly width: number;
  private readonly stamp: Float64Array;
  private readonly sums: Float64Array;

  constructor(
    range: number,
    private readonly slices: number,
  ) {
    if (!(range > 0)) throw new RangeError('range must be > 0');
    if (!(Number.isInteger(slices) && slices >= 1)) throw new RangeError('slices must be an integer ≥ 1');
    this.width = range / slices;
    this.stamp = new Float64Array(slices).fill(-Infinity);
    this.sums = new Float64Array(slices);
  }

  add(now: number, x: number): void {
    const slice = Math.floor(now / this.width);
    const i = slice % this.slices;
    if (this.stamp[i] !== slice) {
      this.stamp[i] = slice;
      this.sums[i] = 0;
    }
    this.sums[i] += x;
  }

  sum(now: number): number {
    const slice = Math.floor(now / this.width);
    let s = 0;
    for (let k = 0; k < this.slices; k++) if (this.stamp[k] > slice - this.slices && this.stamp[k] <= slice) s += this.sums[k];
    return s;
  }
}
