/**
 * Runs sweep tasks on `workers` worker threads (dist JS, or the .ts source through tsx under the
 * test runner). The calling thread only hands out tasks and takes in results — and so answers a
 * worker the moment it finishes, rather than after a simulation of its own — while the caller
 * assembles finished points between results, overlapping the workers' compute. A worker holds one
 * task at a time: the hand-over is a message round trip (well under a millisecond against tasks of
 * a tenth of a second), and holding more would leave one worker idle at the end while another
 * still queues work. A world task is handed out only once the calibration it needs has run.
 * Results are stored by task id, never by finishing order.
 */
import { Worker } from 'node:worker_threads';
import { TunnelsimError } from '../errors.js';
import type { SweepTask, SweepTaskResult } from './sweep-task.js';

/** Gives a world task the calibration it waits for, once that has run. */
export function withCalibration(t: SweepTask, results: readonly (SweepTaskResult | undefined)[]): SweepTask {
  if (t.kind !== 'world' || t.needs === undefined) return t;
  return { ...t, calibration: results[t.needs]!.calibration };
}

function startWorker(): Worker {
  const ts = import.meta.url.endsWith('.ts');
  const url = new URL(ts ? './sweep-worker.ts' : './sweep-worker.js', import.meta.url);
  if (!ts) return new Worker(url);
  // Under tsx a worker has no TypeScript loader of its own: a tiny bootstrap imports it through tsx.
  const boot = `import('tsx/esm/api').then((m) => m.tsImport(${JSON.stringify(url.href)}, ${JSON.stringify(import.meta.url)}))`;
  return new Worker(boot, { eval: true });
}

function toError(e: NonNullable<SweepTaskResult['error']>): Error {
  return e.code ? new TunnelsimError(e.code as never, e.message, { field: e.field, file: e.file }) : new Error(e.message);
}

export class SweepPool {
  private readonly workers: Worker[];

  constructor(workers: number) {
    if (!(Number.isInteger(workers) && workers >= 2)) throw new RangeError('a pool needs at least 2 workers (run inline for one)');
    this.workers = Array.from({ length: workers }, startWorker);
  }

  /** Runs every task; `onResult` sees each result as it arrives (in finishing order), on this thread. The pool keeps results only to release the worlds that wait for a calibration. */
  run(tasks: readonly SweepTask[], onResult: (r: SweepTaskResult) => void): Promise<void> {
    const results: (SweepTaskResult | undefined)[] = new Array(tasks.length);
    const waiting = [...tasks];
    const busy = this.workers.map(() => false);
    let finished = 0;
    const offs: (() => void)[] = [];

    const take = (): SweepTask | undefined => {
      const i = waiting.findIndex((t) => t.kind !== 'world' || t.needs === undefined || results[t.needs] !== undefined);
      return i < 0 ? undefined : withCalibration(waiting.splice(i, 1)[0], results);
    };
    const feed = () => {
      this.workers.forEach((w, k) => {
        if (busy[k]) return;
        const t = take();
        if (!t) return;
        busy[k] = true;
        w.postMessage(t);
      });
    };

    return new Promise<void>((resolve, reject) => {
      let failed = false;
      const fail = (err: Error) => {
        if (failed) return;
        failed = true;
        reject(err);
      };
      this.workers.forEach((w, k) => {
        const onMessage = (r: SweepTaskResult) => {
          busy[k] = false;
          if (failed) return;
          if (r.error) return fail(toError(r.error));
          results[r.id] = r;
          finished++;
          // Hand out the next task before doing anything else with this result, so the worker is
          // busy again while this thread records it.
          feed();
          try {
            onResult(r);
          } catch (err) {
            return fail(err as Error);
          }
          if (finished === tasks.length) resolve();
        };
        w.on('message', onMessage);
        w.on('error', fail);
        offs.push(() => {
          w.off('message', onMessage);
          w.off('error', fail);
        });
      });
      if (tasks.length === 0) resolve();
      feed();
    }).finally(() => offs.forEach((off) => off()));
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
