/**
 * Wall-clock activity of the real requests a live world sends, for telling a busy world from a
 * stuck one. Between the moment a request leaves the agent and the moment the upstream takes it, no
 * timer of the live clock is pending: on a loaded machine that trip through the real relay and
 * connector can take hundreds of ms, and a world that ended on "no timer pending" alone ended early
 * with its calls still in flight. So a world is quiet only when, besides, no real request has been
 * sent or answered for a while — longer than the run's own slowest trip so far, several times over.
 */
export class RealTrips {
  private last = performance.now();
  private slowest = 0;

  /** Minimum quiet time (wall ms) before a world may be taken for stuck. */
  static readonly MIN_QUIET_MS = 1000;
  /** Quiet time as a multiple of the slowest real trip this run measured. */
  static readonly SLOWEST_TRIPS = 10;

  /** A real request went out; returns its wall send time for `settled`. */
  sent(): number {
    this.last = performance.now();
    return this.last;
  }

  /** A real request sent at `sentAt` was answered or failed. */
  settled(sentAt: number): void {
    this.last = performance.now();
    if (this.last - sentAt > this.slowest) this.slowest = this.last - sentAt;
  }

  /** How long the world must be without real traffic before it is quiet (wall ms). */
  get quietAfterMs(): number {
    return Math.max(RealTrips.MIN_QUIET_MS, RealTrips.SLOWEST_TRIPS * this.slowest);
  }

  /** No real request sent or answered for `quietAfterMs`. */
  quiet(now = performance.now()): boolean {
    return now - this.last >= this.quietAfterMs;
  }
}
