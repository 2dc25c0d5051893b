/**
 * A bounded memory of nonces seen, for replay checks (signed frames, client assertions). A nonce is
 * remembered while its timestamp could still pass the caller's freshness check (`windowMs`), and at
 * most `capacity` of them: when the table is full the oldest is forgotten and the acceptance floor
 * rises to its timestamp, so memory stays bounded without reopening a replay.
 */
export interface NonceMemoryOptions {
  /** How long a nonce must be remembered: the freshness window of the check it serves, ms. */
  windowMs: number;
  /** Nonces remembered at most. @default 100000 */
  capacity: number;
}

export type NonceCheck = 'ok' | 'stale' | 'replayed';

export class NonceMemory {
  private readonly seen = new Map<string, number>();
  private floor = -Infinity;

  constructor(private readonly opts: NonceMemoryOptions) {
    if (!(opts.windowMs > 0)) throw new RangeError('windowMs must be > 0');
    if (!(opts.capacity >= 1)) throw new RangeError('capacity must be ≥ 1');
  }

  /** Records `nonce` (stamped `ts`) unless it is older than the floor or was seen before. */
  check(nonce: string, ts: number, now: number): NonceCheck {
    if (ts <= this.floor) return 'stale';
    if (this.seen.has(nonce)) return 'replayed';
    this.forget(now);
    this.seen.set(nonce, ts);
    return 'ok';
  }

  get size(): number {
    return this.seen.size;
  }

  private forget(now: number): void {
    // Insertion order is close to timestamp order, so the expired nonces sit at the front.
    for (const [nonce, ts] of this.seen) {
      if (ts >= now - this.opts.windowMs && this.seen.size < this.opts.capacity) break;
      this.seen.delete(nonce);
      if (ts > this.floor) this.floor = ts;
    }
  }
}
