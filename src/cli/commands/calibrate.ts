/** `tunnelsim calibrate <scenario>`: sim and live on the same scenario, per-call latency side by side. */
import { TunnelsimError } from '../../errors.js';
import { loadWorkflowModule } from '../../run/module.js';
import { loadScenario } from '../../scenario/load.js';
import { delayAccuracyLine, parseDurationFlag, parseSessions, parseTimeScale, REALTIME_OPTION } from './live.js';
import { parseSeed } from '../flags.js';
import type { Command } from './types.js';

export const calibrateCommand: Command = {
  command: 'calibrate <scenario>',
  describe: 'run a scenario in sim and live and print per-call latency p50/p95/p99 side by side',
  builder: (y) =>
    y
      .positional('scenario', { type: 'string', describe: 'scenario YAML file (scenarios/calibration.yaml is made for this)', demandOption: true })
      .option('time-scale', { type: 'string', default: '1', describe: 'wall time per unit of scenario time for the live run' })
      .option('duration', { type: 'string', describe: 'stop starting workflows after this much scenario time' })
      .option('seed', { type: 'string', describe: "override the scenario's seed" })
      .option('policy', { type: 'string', array: true, describe: 'calibrate only this policy (repeatable)' })
      .option('sessions', { type: 'string', describe: 'MCP client sessions for an open workload' })
      .option('realtime', REALTIME_OPTION)
      .option('tolerance', { type: 'string', describe: 'exit 1 when |live − sim| ÷ sim exceeds this at p50 or p95 (e.g. 0.05)' }),
  handler: async (args) => {
    const tolerance = args.tolerance === undefined ? undefined : Number(args.tolerance);
    if (tolerance !== undefined && !(tolerance >= 0)) throw new TunnelsimError('BAD_INPUT', `'${args.tolerance}' is not a tolerance: use a fraction such as 0.05`, { field: '--tolerance' });
    const sc = loadScenario(args.scenario);
    const module = await loadWorkflowModule(sc);
    const { calibrateSimLive, calibrationTable } = await import('../../run/sim-vs-live.js');
    const c = await calibrateSimLive(sc, {
      timeScale: parseTimeScale(args['time-scale']),
      duration: parseDurationFlag(args.duration, '--duration'),
      seed: parseSeed(args.seed),
      policies: args.policy,
      sessions: parseSessions(args.sessions),
      module,
      realtime: args.realtime === true,
    });
    process.stdout.write(`${sc.name}: per-call latency, sim vs live (time scale ${c.live.live?.timeScale ?? 1}; diff = (live − sim) ÷ sim)\n`);
    process.stdout.write(`${calibrationTable(c.rows)}\n`);
    process.stdout.write(delayAccuracyLine(c.live));
    if (tolerance === undefined) return 0;
    const off = c.rows.filter((r) => Math.abs(r.diff.p50) > tolerance || Math.abs(r.diff.p95) > tolerance);
    for (const r of off) process.stderr.write(`error: ${r.policy}: sim and live differ by more than ${(tolerance * 100).toFixed(1)}% at p50 or p95\n`);
    return off.length > 0 ? 1 : 0;
  },
};
