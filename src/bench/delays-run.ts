/**
 * Injected-delay accuracy (DESIGN.md budget: p99 error ≤ 1 ms against the drawn delay). A short
 * live run of the calibration scenario on loopback records, for every timer the live clock fires —
 * each link delay, service time, LLM turn, timeout and backoff — how much later than its drawn
 * deadline it fired, in wall ms. Timers never fire early, so the lateness is the error.
 *
 * The run starts after a warm-up (20 workflows, unrecorded), so JIT compilation is not what is
 * timed, and its clock scavenges in the gaps between deadlines (idle-gc.ts; `idleGc: false` turns
 * that off to measure what it buys).
 *
 * Two baselines run in the same process right after, with the same number of timers and delays
 * drawn like the run's (uniform 1–100 ms, a few hundred pending at once) but no sockets and no
 * other work on the event loop: the live clock alone (what its mechanism costs) and plain
 * `setTimeout` (what the clock improves on). The gap between the clock alone and the clock in the
 * live run is the event loop's occupancy by the real stack — SDK clients and server, HTTP, the
 * relay and connector — whose callbacks a timer due meanwhile must wait out. `setTimeout` may fire
 * early (it rounds to whole milliseconds), so its error is |fired − deadline|.
 */
import { performance } from 'node:perf_hooks';
import { loadScenario } from '../scenario/load.js';
import { runLive } from '../run/live.js';
import { LiveClock } from '../live/live-clock.js';
import { runQueueWaitMs } from '../live/priority.js';

export interface DelayBenchOptions {
  /** @default 'scenarios/calibration.yaml' */
  scenario: string;
  /** Workflows to run (10 agents). @default 40 */
  workflows: number;
  /** @default 1 */
  timeScale: number;
  /** Workflows run first, unrecorded (runLive's `warmup`), so JIT warm-up is not timed. @default 20 */
  warmup: number;
  /** The live clock scavenges between deadlines (live/idle-gc.ts). @default true */
  idleGc: boolean;
  /** The agents' thread runs at real-time priority (runLive's `realtime`, live/priority.ts). @default false */
  realtime: boolean;
}

export const DEFAULT_DELAY_BENCH: DelayBenchOptions = { scenario: 'scenarios/calibration.yaml', workflows: 40, timeScale: 1, warmup: 20, idleGc: true, realtime: false };

export interface Lateness {
  timers: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

export interface DelayBenchResult extends Lateness {
  /**
   * Wall ms the clock's thread spent runnable but waiting for a core during the run (Linux
   * schedstat; absent elsewhere): the part of the lateness that was the kernel scheduler's.
   */
  runQueueWaitMs?: number;
  /** The live clock with the event loop otherwise idle. */
  clockAlone: Lateness;
  /** Plain setTimeout with the event loop otherwise idle. */
  setTimeoutAlone: Lateness;
}

function summarize(late: number[]): Lateness {
  late.sort((a, b) => a - b);
  const at = (q: number) => late[Math.min(late.length - 1, Math.floor(q * late.length))] ?? 0;
  return { timers: late.length, p50Ms: at(0.5), p99Ms: at(0.99), maxMs: late[late.length - 1] ?? 0 };
}

/** Delays for the idle baselines: a deterministic spread over 1–100 ms (golden-ratio sequence). */
function idleDelays(n: number): number[] {
  return Array.from({ length: n }, (_, i) => 1 + ((i * 0.6180339887498949) % 1) * 99);
}

/** `n` timers, `batch` started at a time, the next batch when the last one has fired. */
async function idleRun(n: number, arm: (delay: number, observe: (lateMs: number) => void, done: () => void) => void): Promise<Lateness> {
  const late: number[] = [];
  const delays = idleDelays(n);
  const batch = 200;
  for (let i = 0; i < n; i += batch) {
    await Promise.all(delays.slice(i, i + batch).map((d) => new Promise<void>((resolve) => arm(d, (ms) => void late.push(ms), resolve))));
  }
  return summarize(late);
}

async function clockAlone(n: number): Promise<Lateness> {
  let observer: ((ms: number) => void) | undefined;
  const clock = new LiveClock({ observe: (ms) => observer?.(ms) });
  try {
    const late: number[] = [];
    observer = (ms) => void late.push(ms);
    await idleRun(n, (d, _observe, done) => clock.schedule(d, done));
    return summarize(late);
  } finally {
    clock.close();
  }
}

function setTimeoutAlone(n: number): Promise<Lateness> {
  return idleRun(n, (d, observe, done) => {
    const at = performance.now() + d;
    setTimeout(() => {
      observe(Math.abs(performance.now() - at));
      done();
    }, d);
  });
}

export async function benchDelays(options: Partial<DelayBenchOptions> = {}): Promise<DelayBenchResult> {
  const o = { ...DEFAULT_DELAY_BENCH, ...options };
  const sc = loadScenario(o.scenario);
  let waitedFrom: number | undefined;
  const report = await runLive(
    { ...sc, workload: { ...sc.workload, workflows: o.workflows } },
    {
      timeScale: o.timeScale,
      policies: [sc.policies[0].name],
      warmup: o.warmup,
      idleGc: o.idleGc,
      realtime: o.realtime,
      observeTimers: () => {
        // The run-queue wait is counted from the first measured timer (warm-up and set-up excluded).
        waitedFrom ??= runQueueWaitMs();
      },
    },
  );
  const waitedTo = runQueueWaitMs();
  // The lateness the run's own report carries (live.timerLateness): what a user of `live` reads.
  const t = report.live!.timerLateness!;
  const live: Lateness = { timers: t.count, p50Ms: t.p50, p99Ms: t.p99, maxMs: t.max };
  const runQueueWait = waitedFrom === undefined || waitedTo === undefined ? undefined : waitedTo - waitedFrom;
  return { ...live, runQueueWaitMs: runQueueWait, clockAlone: await clockAlone(live.timers), setTimeoutAlone: await setTimeoutAlone(live.timers) };
}
