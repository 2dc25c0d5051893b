/**
 * Real-time scheduling for the live clock's thread (`tunnelsim live --realtime`).
 *
 * At normal priority the kernel's own threads take the clock's core from it: on the 2-vCPU VM we
 * measure on, the memory monitor `kdamond` wakes every ~512 ms and runs 1–4 ms, and the waiting
 * clock thread is not moved to the other core in that time, so the timers due then fire 1–4 ms
 * late (`perf sched timehist`; the thread's run-queue wait summed 200–330 ms over a 40 s delay
 * benchmark). Under `SCHED_FIFO` no normal thread preempts it and a woken clock thread takes
 * whichever core runs a normal one: the same benchmark waited 2–20 ms in all.
 *
 * Node has no call for the scheduling policy, so util-linux `chrt` sets it for the main thread
 * (the thread whose id is the process id), at the lowest real-time priority, 1: enough to outrank
 * every normal thread and no real-time one. Linux's real-time throttling (95 % of each second by
 * default) still leaves the core to others if the thread ever spins without end. It needs
 * CAP_SYS_NICE (root, or `setcap cap_sys_nice+ep` on node) and is undone when the run ends.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { isMainThread } from 'node:worker_threads';

function chrt(args: string[]): void {
  execFileSync('chrt', [...args, String(process.pid)], { stdio: ['ignore', 'ignore', 'pipe'] });
}

function why(err: unknown): string {
  const e = err as { code?: string; stderr?: Buffer; message?: string };
  if (e.code === 'ENOENT') return 'chrt (util-linux) is not installed';
  const said = e.stderr?.toString().trim().split('\n').pop();
  return `${said || e.message || String(err)} (needs root or CAP_SYS_NICE)`;
}

/**
 * Raises the main thread to `SCHED_FIFO` priority 1 and returns the call that restores normal
 * scheduling. Throws an Error saying why when the system refuses (no permission, no `chrt`, not
 * Linux, not the main thread).
 */
export function raiseToRealtime(): () => void {
  if (process.platform !== 'linux') throw new Error(`real-time priority is set with Linux's chrt; this is ${process.platform}`);
  if (!isMainThread) throw new Error('real-time priority applies to the main thread; run the live world there');
  try {
    chrt(['--fifo', '-p', '1']);
  } catch (err) {
    throw new Error(`could not raise the clock thread to real-time priority: ${why(err)}`);
  }
  return () => {
    try {
      chrt(['--other', '-p', '0']);
    } catch {
      // The process keeps the priority until it exits: nothing else depends on it.
    }
  };
}

/**
 * Wall ms the main thread has spent runnable but waiting for a core since it started (Linux
 * schedstat), or undefined where the kernel does not say: what the delay benchmark reports beside
 * its lateness, to show how much of it was the scheduler's.
 */
export function runQueueWaitMs(): number | undefined {
  try {
    const [, wait] = fs.readFileSync(`/proc/self/task/${process.pid}/schedstat`, 'utf8').split(' ');
    const ns = Number(wait);
    return Number.isFinite(ns) ? ns / 1e6 : undefined;
  } catch {
    return undefined;
  }
}
