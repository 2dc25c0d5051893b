/**
 * Injected-delay accuracy (DESIGN.md budget: p99 error ≤ 1 ms against the drawn delay). A short
 * live run of the calibration scenario on loopback records, for every timer the live clock fires —
 * each link delay, service time, LLM turn, timeout and backoff — how much later than its drawn
 * deadline it fired, in wall ms. Timers never fire early, so the lateness is the error.
 */
import { loadScenario } from '../scenario/load.js';
import { runLive } from '../run/live.js';

export interface DelayBenchOptions {
  /** @default 'scenarios/calibration.yaml' */
  scenario: string;
  /** Workflows to run (10 agents). @default 40 */
  workflows: number;
  /** @default 1 */
  timeScale: number;
}

export const DEFAULT_DELAY_BENCH: DelayBenchOptions = { scenario: 'scenarios/calibration.yaml', workflows: 40, timeScale: 1 };

export interface DelayBenchResult {
  timers: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

export async function benchDelays(options: Partial<DelayBenchOptions> = {}): Promise<DelayBenchResult> {
  const o = { ...DEFAULT_DELAY_BENCH, ...options };
  const sc = loadScenario(o.scenario);
  const late: number[] = [];
  await runLive(
    { ...sc, workload: { ...sc.workload, workflows: o.workflows } },
    { timeScale: o.timeScale, policies: [sc.policies[0].name], observeTimers: (ms) => void late.push(ms) },
  );
  late.sort((a, b) => a - b);
  const at = (q: number) => late[Math.min(late.length - 1, Math.floor(q * late.length))] ?? 0;
  return { timers: late.length, p50Ms: at(0.5), p99Ms: at(0.99), maxMs: late[late.length - 1] ?? 0 };
}
