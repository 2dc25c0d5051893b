/**
 * Runs sweep tasks on `threads` threads: the calling thread plus threads − 1 worker threads
 * (dist JS, or the .ts source through tsx under the test runner). The calling thread works too,
 * so `--workers 2` pays for one extra cold start (module loading, JIT warm-up), not two. Each
 * worker holds up to two tasks, so it never waits for the calling thread — busy with its own task
 * — to hand it the next one. A world task is handed out only once the calibration it needs has
 * run. Results are stored by task id, never by finishing order.
 */
import { Worker } from 'node:worker_threads';
import { TunnelsimError } from '../errors.js';
import { executeTask, PointCache, type SweepTask, type SweepTaskResult } from './sweep-task.js';

/** Tasks a worker holds at once: the one it runs and the next. */
const PREFETCH = 2;

/** Gives a world task the calibration it waits for, once that has run. */
export function withCalibration(t: SweepTask, results: readonly SweepTaskResult[]): SweepTask {
  if (t.kind !== 'world' || t.needs === undefined) return t;
  return { ...t, calibration: results[t.needs].calibration };
}

function startWorker(): Worker {
  const ts = import.meta.url.endsWith('.ts');
  const url = new URL(ts ? './sweep-worker.ts' : './sweep-worker.js', import.meta.url);
  if (!ts) return new Worker(url);
  // Under tsx a worker has no TypeScript loader of its own: a tiny bootstrap imports it through tsx.
  return new Worker(`import('tsx/esm/api').then((m) => m.tsImport(${JSON.stringify(url.href)}, ${JSON.stringify(import.meta.url)}))`, { eval: true });
}

function toError(e: NonNullable<SweepTaskResult['error']>): Error {
  return e.code ? new TunnelsimError(e.code as never, e.message, { field: e.field, file: e.file }) : new Error(e.message);
}

export class SweepPool {
  private readonly workers: Worker[];

  constructor(threads: number) {
    if (!(Number.isInteger(threads) && threads >= 2)) throw new RangeError('a pool needs at least 2 threads (use runInline for one)');
    this.workers = Array.from({ length: threads - 1 }, startWorker);
  }

  run(tasks: readonly SweepTask[], progress: () => void): Promise<SweepTaskResult[]> {
    const results: SweepTaskResult[] = new Array(tasks.length);
    const waiting = [...tasks];
    const held = this.workers.map(() => 0);
    let finished = 0;
    let failure: Error | undefined;
    let wake: (() => void) | undefined;
    const cache = new PointCache();

    const take = (): SweepTask | undefined => {
      const i = waiting.findIndex((t) => t.kind !== 'world' || t.needs === undefined || results[t.needs] !== undefined);
      return i < 0 ? undefined : withCalibration(waiting.splice(i, 1)[0], results);
    };
    const feed = () => {
      this.workers.forEach((w, k) => {
        while (held[k] < PREFETCH) {
          const t = take();
          if (!t) return;
          held[k]++;
          w.postMessage(t);
        }
      });
    };
    const record = (r: SweepTaskResult) => {
      results[r.id] = r;
      finished++;
      progress();
      feed(); // a finished calibration may have made worlds ready
      wake?.();
    };
    const fail = (err: Error) => {
      failure ??= err;
      wake?.();
    };
    const listeners = this.workers.map((w, k) => {
      const onMessage = (r: SweepTaskResult) => {
        held[k]--;
        if (r.error) fail(toError(r.error));
        else record(r);
      };
      w.on('message', onMessage);
      w.on('error', fail);
      return () => {
        w.off('message', onMessage);
        w.off('error', fail);
      };
    });

    const main = async (): Promise<SweepTaskResult[]> => {
      feed();
      while (finished < tasks.length && !failure) {
        const t = take();
        if (t) {
          record(await executeTask(t, cache));
          // Let worker results in (and hand out their next tasks) between this thread's tasks.
          await new Promise<void>((r) => setImmediate(r));
        } else {
          await new Promise<void>((r) => (wake = r));
          wake = undefined;
        }
      }
      if (failure) throw failure;
      return results;
    };
    return main().finally(() => listeners.forEach((off) => off()));
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
