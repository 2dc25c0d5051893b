/** Waits for a group of calls made in parallel: the process resumes when the last one ends. */
import type { Resumable, Waitable } from '../kernel/process.js';
import type { CallListener, LogicalCall } from '../policy/caller.js';

export class CallGroup implements Waitable, CallListener {
  readonly calls: LogicalCall[];
  private remaining: number;
  private process: Resumable | undefined;
  constructor(n: number, make: (k: number, group: CallGroup) => LogicalCall) {
    this.calls = [];
    for (let k = 0; k < n; k++) this.calls.push(make(k, this));
    this.remaining = n;
  }
  await(p: Resumable): void {
    this.process = p;
    for (const c of this.calls) c.start();
  }
  callDone(): void {
    if (--this.remaining === 0) this.process!.resume(this);
  }
}
