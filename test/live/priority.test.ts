// Real-time priority for the live clock's thread (`live --realtime`): set on the main thread, read
// back from the kernel, undone when the run ends; refused with one line saying why where the
// system does not allow it.
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { stringify } from 'yaml';
import { main } from '../../src/cli/main.js';
import { raiseToRealtime, runQueueWaitMs } from '../../src/live/priority.js';
import type { Report } from '../../src/report/types.js';
import { readScenarioData } from '../../src/scenario/load.js';

/** The main thread's scheduling policy and real-time priority, as the kernel reports them. */
function scheduling(): { policy: number; rtPriority: number } {
  const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
  // Fields after the command name (which may hold spaces): state is field 3, so field n is at n − 3.
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { rtPriority: Number(f[40 - 3]), policy: Number(f[41 - 3]) };
}

const SCHED_OTHER = 0;
const SCHED_FIFO = 1;
const linux = process.platform === 'linux';
const hasChrt = linux && spawnSync('chrt', ['--version']).status === 0;
/** Root with chrt: the priority is granted. Anything else: it is refused, saying why. */
const privileged = hasChrt && process.getuid?.() === 0;

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tunnelsim-rt-'));
  const data = readScenarioData('scenarios/calibration.yaml') as Record<string, any>;
  data.workload.workflows = 2;
  data.workflow.steps = 2;
  data.policies = [data.policies[0]];
  await writeFile(join(dir, 'tiny.yaml'), stringify(data));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe.runIf(linux)('raiseToRealtime', () => {
  it.runIf(privileged)('puts the main thread under SCHED_FIFO at priority 1 and restores SCHED_OTHER', () => {
    expect(scheduling().policy).toBe(SCHED_OTHER);
    const restore = raiseToRealtime();
    try {
      expect(scheduling()).toEqual({ policy: SCHED_FIFO, rtPriority: 1 });
    } finally {
      restore();
    }
    expect(scheduling()).toEqual({ policy: SCHED_OTHER, rtPriority: 0 });
  });

  it.skipIf(privileged)('is refused without the privilege or without chrt, saying what it needs', () => {
    expect(() => raiseToRealtime()).toThrow(hasChrt ? /CAP_SYS_NICE/ : /chrt \(util-linux\) is not installed/);
    expect(scheduling().policy).toBe(SCHED_OTHER);
  });

  it('reads the main thread’s run-queue wait from the kernel, and it never goes back', async () => {
    const a = runQueueWaitMs();
    expect(a).toBeGreaterThanOrEqual(0);
    await new Promise((r) => setTimeout(r, 5));
    expect(runQueueWaitMs()).toBeGreaterThanOrEqual(a!);
  });
});

describe.runIf(linux)('tunnelsim live --realtime', () => {
  it('runs at real-time priority, says so in the report, and ends at normal priority again', async () => {
    let err = '';
    const o = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const e = vi.spyOn(process.stderr, 'write').mockImplementation((s) => ((err += String(s)), true));
    const out = join(dir, 'out');
    let code: number;
    try {
      code = await main(['live', join(dir, 'tiny.yaml'), '--realtime', '--time-scale', '0.05', '--out', out]);
    } finally {
      o.mockRestore();
      e.mockRestore();
    }
    expect(scheduling().policy).toBe(SCHED_OTHER);
    if (privileged) {
      expect(code).toBe(0);
      const report = JSON.parse(await readFile(join(out, 'calibration.live.json'), 'utf8')) as Report;
      expect(report.live?.realtime).toBe(true);
      expect(report.policies[0].workflows.completed).toBe(2);
    } else {
      // Refused before anything starts: one line, a runtime failure, no report.
      expect(code).toBe(3);
      expect(err.trim().split('\n')).toHaveLength(1);
      expect(err).toMatch(hasChrt ? /real-time priority.*CAP_SYS_NICE/ : /real-time priority.*chrt \(util-linux\) is not installed/);
      await expect(readdir(out)).rejects.toThrow();
    }
  });
});
