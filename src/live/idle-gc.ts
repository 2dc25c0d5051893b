/**
 * Young-generation collections in the gaps between live timers.
 *
 * A scavenge stops the event loop for 0.5–6 ms, whenever the nursery fills — often just as a timer
 * is due, which then fires that much late. The live clock knows its next deadline, so when nothing
 * is due for a while and the nursery is partly full it runs the scavenge itself, now, in the gap
 * (the way V8 schedules GC in a browser's idle time). Collections that would have come at a bad
 * moment come early at a harmless one; the total GC work barely changes.
 *
 * V8's `gc()` is exposed for this module only (the `--expose-gc` flag is set, `gc` taken from a
 * fresh context, and the flag cleared again). Where that is refused, collection stays V8's alone.
 */
import v8 from 'node:v8';
import vm from 'node:vm';

type Gc = (options: { type: 'minor' | 'major' }) => void;

let gcFn: Gc | null | undefined;

function gcFunction(): Gc | null {
  if (gcFn !== undefined) return gcFn;
  try {
    v8.setFlagsFromString('--expose-gc');
    const f: unknown = vm.runInNewContext('gc');
    gcFn = typeof f === 'function' ? (f as Gc) : null;
  } catch {
    gcFn = null;
  } finally {
    v8.setFlagsFromString('--no-expose-gc');
  }
  return gcFn;
}

/** Nursery fill above which a gap is worth a collection. */
const FILL = 0.3;

export class IdleCollector {
  private readonly gc = gcFunction();
  /** Running estimate of a scavenge's pause, ms (it only needs to be roughly right). */
  private pauseMs = 1;
  /** Scavenges run in gaps. */
  collections = 0;

  get available(): boolean {
    return this.gc !== null;
  }

  /**
   * Scavenges now if the next deadline is further off than two pauses and `marginMs`, and the
   * nursery is at least `FILL` full. Returns whether it did.
   */
  maybeCollect(msToNextDeadline: number, marginMs: number): boolean {
    if (!this.gc || msToNextDeadline < 2 * this.pauseMs + marginMs) return false;
    const young = v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space');
    if (!young || young.space_used_size < FILL * (young.space_used_size + young.space_available_size)) return false;
    const t0 = performance.now();
    this.gc({ type: 'minor' });
    const ms = performance.now() - t0;
    this.pauseMs = Math.max(ms, 0.9 * this.pauseMs + 0.1 * ms);
    this.collections++;
    return true;
  }
}
