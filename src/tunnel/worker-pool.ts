/**
 * A counting semaphore with a FIFO wait list: the mock upstream's worker pool, so calls beyond
 * `server.concurrency` queue as the simulator's server model says. A waiter whose call is cancelled
 * leaves the queue without taking a slot.
 */
export class WorkerPool {
  private busy = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(readonly size: number) {
    if (!(size >= 1)) throw new RangeError('size must be ≥ 1');
  }

  get inUse(): number {
    return this.busy;
  }

  get queued(): number {
    return this.waiting.length;
  }

  /** Resolves with a release function once a worker is free; rejects if `signal` aborts first. */
  acquire(signal?: AbortSignal): Promise<() => void> {
    const release = () => {
      const next = this.waiting.shift();
      if (next) next();
      else this.busy--;
    };
    if (this.busy < this.size) {
      this.busy++;
      return Promise.resolve(once(release));
    }
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(new Error('cancelled'));
      const grant = () => {
        signal?.removeEventListener('abort', onAbort);
        resolve(once(release)); // the slot passes straight from the releaser
      };
      const onAbort = () => {
        const i = this.waiting.indexOf(grant);
        if (i >= 0) this.waiting.splice(i, 1);
        reject(new Error('cancelled'));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiting.push(grant);
    });
  }
}

function once(fn: () => void): () => void {
  let done = false;
  return () => {
    if (done) return;
    done = true;
    fn();
  };
}
