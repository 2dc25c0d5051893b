/**
 * Arrival-rate profiles for open workloads: a piecewise-linear rate over virtual time (constant
 * before the first point and after the last). Arrivals of a non-homogeneous process are made by
 * time rescaling: the n-th arrival happens when the cumulative rate Λ(t) = ∫₀ᵗ rate reaches Sₙ, the
 * n-th point of a unit-rate process (Poisson: Sₙ is a sum of keyed Exp(1) draws; uniform: Sₙ = n).
 * Λ is piecewise quadratic, so Λ⁻¹ is exact. Rates are per millisecond inside, per second outside.
 */
export class RateProfile {
  /** Breakpoints (ms) and rates (per ms) at them; cumulative Λ at each breakpoint. */
  private readonly t: number[];
  private readonly r: number[];
  private readonly cum: number[];

  /** `points`: [time ms, rate per second], strictly increasing times, at least one point. */
  constructor(points: readonly (readonly [number, number])[], scale = 1) {
    if (points.length === 0) throw new RangeError('a rate profile needs at least one point');
    this.t = points.map((p) => p[0]);
    this.r = points.map((p) => (p[1] * scale) / 1000);
    for (let i = 1; i < this.t.length; i++) if (!(this.t[i] > this.t[i - 1])) throw new RangeError('rate profile times must increase');
    for (const x of this.r) if (!(x >= 0)) throw new RangeError('rates must be ≥ 0');
    this.cum = [this.t[0] * this.r[0]];
    for (let i = 1; i < this.t.length; i++) this.cum.push(this.cum[i - 1] + ((this.r[i - 1] + this.r[i]) / 2) * (this.t[i] - this.t[i - 1]));
  }

  static constant(perSecond: number, scale = 1): RateProfile {
    return new RateProfile([[0, perSecond]], scale);
  }

  /** A single rate for all time (no stages, no daily profile). */
  get isConstant(): boolean {
    return this.t.length === 1;
  }

  /** Rate at time t (per second). */
  rateAt(t: number): number {
    const { t: ts, r } = this;
    if (t <= ts[0]) return r[0] * 1000;
    for (let i = 1; i < ts.length; i++) {
      if (t <= ts[i]) return (r[i - 1] + ((r[i] - r[i - 1]) * (t - ts[i - 1])) / (ts[i] - ts[i - 1])) * 1000;
    }
    return r[r.length - 1] * 1000;
  }

  /** Λ(t): expected arrivals in [0, t]. */
  cumulative(t: number): number {
    const { t: ts, r, cum } = this;
    if (t <= ts[0]) return t * r[0];
    for (let i = 1; i < ts.length; i++) {
      if (t <= ts[i]) {
        const d = t - ts[i - 1];
        const slope = (r[i] - r[i - 1]) / (ts[i] - ts[i - 1]);
        return cum[i - 1] + r[i - 1] * d + (slope * d * d) / 2;
      }
    }
    const last = ts.length - 1;
    return cum[last] + r[last] * (t - ts[last]);
  }

  /** Λ⁻¹(L): the time at which L arrivals are expected; Infinity when the rate ends at 0 before it. */
  inverse(L: number): number {
    const { t: ts, r, cum } = this;
    if (L <= cum[0]) return r[0] > 0 ? L / r[0] : ts[0];
    for (let i = 1; i < ts.length; i++) {
      if (L <= cum[i]) {
        const a = (r[i] - r[i - 1]) / (ts[i] - ts[i - 1]) / 2;
        const b = r[i - 1];
        const c = cum[i - 1] - L;
        // a·d² + b·d + c = 0, smallest non-negative root; the stable form avoids cancellation.
        const d = a === 0 ? -c / b : (2 * -c) / (b + Math.sqrt(b * b - 4 * a * c));
        return ts[i - 1] + d;
      }
    }
    const last = ts.length - 1;
    return r[last] > 0 ? ts[last] + (L - cum[last]) / r[last] : Infinity;
  }
}
