/**
 * One unit of sweep work — a calibration pass or a world of one grid point — run the same way on
 * the main thread and in a worker, so a sweep's results never depend on how many workers ran it.
 * Tasks carry the point's scenario data (plain JSON, re-validated here) and, for worlds whose
 * policy needs it, the point's calibration (its histograms as HdrHistogram strings).
 */
import type { WorldRecord } from '../report/types.js';
import { parseScenario } from '../scenario/load.js';
import type { Scenario } from '../scenario/types.js';
import type { UserWorkflow } from '../agent/script.js';
import { calibrate, decodeCalibration, encodeCalibration, resolveHedgeDelays, resolveTimeouts, type EncodedCalibration } from './calibrate.js';
import { loadWorkflowModule } from './module.js';
import { replicationSeed } from './sim.js';
import { runWorld } from './world.js';

interface TaskBase {
  id: number;
  point: number;
  file: string;
  data: unknown;
  seed: number;
}

export type SweepTask =
  | (TaskBase & { kind: 'calibrate' })
  | (TaskBase & {
      kind: 'world';
      policy: number;
      replication: number;
      /** The calibration task this world waits for (its policy resolves percentiles). */
      needs?: number;
      calibration?: EncodedCalibration;
    });

export interface SweepTaskResult {
  id: number;
  calibration?: EncodedCalibration;
  world?: WorldRecord;
  error?: { message: string; code?: string; field?: string; file?: string };
}

/** Parsed points, kept per thread: a point's scenario is validated once however many worlds it has. */
export class PointCache {
  private readonly points = new Map<number, Promise<{ sc: Scenario; module?: UserWorkflow }>>();

  get(task: SweepTask): Promise<{ sc: Scenario; module?: UserWorkflow }> {
    let p = this.points.get(task.point);
    if (!p) {
      p = (async () => {
        const sc = parseScenario(task.data, task.file);
        return { sc, module: await loadWorkflowModule(sc) };
      })();
      this.points.set(task.point, p);
    }
    return p;
  }
}

export async function executeTask(task: SweepTask, cache: PointCache): Promise<SweepTaskResult> {
  const { sc, module } = await cache.get(task);
  if (task.kind === 'calibrate') return { id: task.id, calibration: encodeCalibration(calibrate(sc, task.seed, module)) };
  const policy = sc.policies[task.policy];
  const calibration = task.calibration && decodeCalibration(task.calibration);
  const timeouts = resolveTimeouts(sc, policy, calibration);
  const { rec } = runWorld(sc, policy, replicationSeed(task.seed, task.replication), timeouts, module, resolveHedgeDelays(sc, policy, calibration));
  return { id: task.id, world: rec.toRecord(`${policy.name}#${task.replication}`, policy.name, task.replication) };
}
