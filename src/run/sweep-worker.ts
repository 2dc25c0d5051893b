/** A sweep worker thread: runs the tasks the main thread posts, one at a time, and posts results. */
import { parentPort } from 'node:worker_threads';
import { TunnelsimError } from '../errors.js';
import { executeTask, PointCache, type SweepTask } from './sweep-task.js';

const cache = new PointCache();
parentPort!.on('message', (task: SweepTask) => {
  executeTask(task, cache).then(
    (result) => parentPort!.postMessage(result),
    (err: unknown) => {
      const e = err as Error;
      const t = err instanceof TunnelsimError ? { code: err.code, field: err.field, file: err.file } : {};
      parentPort!.postMessage({ id: task.id, error: { message: e?.message ?? String(err), ...t } });
    },
  );
});
