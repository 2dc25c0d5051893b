/**
 * CPU time of other processes, from /proc (Linux): what the relay benchmark charges to each leg's
 * proxying processes. `undefined` where /proc cannot be read (another OS, a process that is gone).
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

let clockTicks: number | undefined;

function ticksPerSec(): number {
  clockTicks ??= Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;
  return clockTicks;
}

/** utime and stime of one /proc stat line, and its parent pid. */
function stat(pid: number | string): { ppid: number; ticks: number } | undefined {
  let line: string;
  try {
    line = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // Fields after the parenthesised command: state ppid … utime(14) stime(15), 1-based overall.
  const f = line.slice(line.lastIndexOf(')') + 2).split(' ');
  return { ppid: Number(f[1]), ticks: Number(f[11]) + Number(f[12]) };
}

/** CPU used so far by the process itself (all its threads, not its children), ms. */
export function processCpuMs(pid: number): number | undefined {
  const s = stat(pid);
  return s && (s.ticks * 1000) / ticksPerSec();
}

/** CPU used so far by `pid` and its direct children (nginx's master and workers), ms. */
export function processTreeCpuMs(pid: number): number | undefined {
  try {
    let ticks = 0;
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      const s = stat(entry);
      if (s && (Number(entry) === pid || s.ppid === pid)) ticks += s.ticks;
    }
    return (ticks * 1000) / ticksPerSec();
  } catch {
    return undefined;
  }
}
