/**
 * A count that changes over virtual time (busy workers, held relay slots) and its time integral
 * (ms · count), from which utilisation is the integral ÷ (capacity × run length).
 */
export class Level {
  value = 0;
  /** ∫ value dt up to `changedAt`, ms · count. */
  area = 0;
  private changedAt = 0;

  /** Sets the count to `n` at `now`. */
  set(n: number, now: number): void {
    this.area += this.value * (now - this.changedAt);
    this.changedAt = now;
    this.value = n;
  }
}
