/** `tunnelsim live <scenario>`: the scenario on real sockets (relay, connector, MCP upstream on loopback). */
import { join } from 'node:path';
import { TunnelsimError } from '../../errors.js';
import { reportBlocks } from '../../report/blocks.js';
import { terminalTable } from '../../report/terminal.js';
import { loadWorkflowModule } from '../../run/module.js';
import { loadScenario } from '../../scenario/load.js';
import { parseDuration } from '../../scenario/units.js';
import { ENCODINGS, type EncodingName } from '../../tokens/encodings.js';
import { colorEnabled, progressEnabled, writeAtomic } from '../output.js';
import { parseFormats } from './run.js';
import { checkOutDir, parseSeed } from '../flags.js';
import type { LiveTarget } from '../../live/live-system.js';
import { MIN_TIME_SCALE } from '../../run/live-limits.js';
import type { Report } from '../../report/types.js';
import type { Command } from './types.js';

export function parseTimeScale(v: unknown): number {
  const k = Number(v);
  if (!(k > 0) || !Number.isFinite(k)) throw new TunnelsimError('BAD_INPUT', `'${v}' is not a time scale: use a number > 0, e.g. 0.05`, { field: '--time-scale' });
  if (k < MIN_TIME_SCALE) {
    throw new TunnelsimError('BAD_INPUT', `${v} is below ${MIN_TIME_SCALE}: each real millisecond of overhead would be more than a second of scenario time, and the run's figures would measure the machine, not the scenario`, { field: '--time-scale' });
  }
  return k;
}

export function parseDurationFlag(v: string | undefined, field: string): number | undefined {
  if (v === undefined) return undefined;
  const ms = parseDuration(v);
  if (ms === undefined || !(ms > 0)) throw new TunnelsimError('BAD_INPUT', `'${v}' is not a duration: use e.g. 90s, 10m`, { field });
  return ms;
}

export function parseEncoding(v: string): EncodingName {
  if (!(ENCODINGS as readonly string[]).includes(v)) throw new TunnelsimError('BAD_INPUT', `unknown encoding '${v}' (use ${ENCODINGS.join(', ')})`, { field: '--encoding' });
  return v as EncodingName;
}

export function parseSessions(v: unknown): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new TunnelsimError('BAD_INPUT', `'${v}' is not a session count: use an integer ≥ 1`, { field: '--sessions' });
  return n;
}

export function parseWarmup(v: unknown): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new TunnelsimError('BAD_INPUT', `'${v}' is not a workflow count: use an integer ≥ 0`, { field: '--warmup' });
  return n;
}

export function parseTarget(url: string | undefined, tokenEnv: string): LiveTarget | undefined {
  if (url === undefined) return undefined;
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new TunnelsimError('BAD_INPUT', `'${url}' is not a URL`, { field: '--target' });
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new TunnelsimError('BAD_INPUT', `'${url}' is not an http(s) URL`, { field: '--target' });
  const token = process.env[tokenEnv];
  return { url: u.href, headers: token ? { Authorization: `Bearer ${token}` } : {} };
}

/** The run's own injected-delay accuracy (report.live.timerLateness) as one line, or nothing. */
export function delayAccuracyLine(report: Report): string {
  const late = report.live?.timerLateness;
  if (!late || late.count === 0) return '';
  const priority = report.live?.realtime ? 'real-time priority' : 'normal priority; --realtime keeps kernel threads from delaying them';
  return `delay accuracy: ${late.count} timers fired late by p50 ${late.p50.toFixed(3)} ms, p99 ${late.p99.toFixed(3)} ms, max ${late.max.toFixed(3)} ms (${priority})\n`;
}

export const REALTIME_OPTION = {
  type: 'boolean',
  default: false,
  describe: "run the agents' thread, which times every injected delay, at real-time priority (Linux chrt; needs root or CAP_SYS_NICE)",
} as const;

export const liveCommand: Command = {
  command: 'live <scenario>',
  describe: 'run a scenario on real sockets (relay, connector, mock MCP server on loopback) and write a live report',
  builder: (y) =>
    y
      .positional('scenario', { type: 'string', describe: 'scenario YAML file', demandOption: true })
      .option('time-scale', { type: 'string', default: '1', describe: 'wall time per unit of scenario time (0.05 runs 20× faster; figures read in scenario time)' })
      .option('duration', { type: 'string', describe: 'stop starting workflows after this much scenario time (e.g. 2m)' })
      .option('seed', { type: 'string', describe: "override the scenario's seed" })
      .option('policy', { type: 'string', array: true, describe: 'run only this policy (repeatable)' })
      .option('sessions', { type: 'string', describe: 'MCP client sessions for an open workload (closed: one per agent)', default: undefined })
      .option('encoding', { type: 'string', default: 'o200k_base', describe: 'tokenizer encoding for result payloads' })
      .option('server-thread', { type: 'string', choices: ['main', 'worker'], default: 'main', describe: 'run relay, connector and upstream on the agents\' thread or in a worker thread' })
      .option('target', { type: 'string', describe: 'drive this external Streamable HTTP MCP endpoint instead of a local relay and mock (no injected delays or faults)' })
      .option('target-token-env', { type: 'string', default: 'TUNNELSIM_TARGET_TOKEN', describe: 'environment variable with the bearer token for --target (sent when set)' })
      .option('trace', { type: 'string', describe: "write the first policy's calls as a replayable trace (JSONL; workflow: { trace: FILE })" })
      .option('warmup', { type: 'string', default: '0', describe: 'run this many workflows of the first policy first, unrecorded and fast, so JIT warm-up is not measured' })
      .option('realtime', REALTIME_OPTION)
      .option('otlp', { type: 'string', describe: 'export spans (agent, relay hop, connector, server) to this OTLP/HTTP endpoint (default: OTEL_EXPORTER_OTLP_ENDPOINT when set)' })
      .option('out', { type: 'string', default: 'reports', describe: 'output directory' })
      .option('format', { type: 'string', default: 'json', describe: 'comma-separated: json,md,html,hdrlog' }),
  handler: async (args) => {
    const timeScale = parseTimeScale(args['time-scale']);
    const duration = parseDurationFlag(args.duration, '--duration');
    const seed = parseSeed(args.seed);
    checkOutDir(args.out);
    const sessions = parseSessions(args.sessions);
    const encoding = parseEncoding(args.encoding);
    const formats = parseFormats(args.format);
    if (formats.includes('otlp')) throw new TunnelsimError('BAD_INPUT', 'a live run exports its spans as they happen: use --otlp URL (or OTEL_EXPORTER_OTLP_ENDPOINT), not --format otlp', { field: '--format' });
    const target = parseTarget(args.target, args['target-token-env']);
    const warmup = parseWarmup(args.warmup);
    const { otlpTracesUrl } = await import('../../tunnel/otlp-endpoint.js');
    const otlp = otlpTracesUrl(args.otlp);
    const sc = loadScenario(args.scenario);
    const module = await loadWorkflowModule(sc);
    const progress = progressEnabled();
    let report;
    try {
      const { runLive } = await import('../../run/live.js');
      report = await runLive(sc, {
        timeScale,
        duration,
        seed,
        policies: args.policy,
        sessions,
        encoding,
        module,
        thread: args['server-thread'] as 'main' | 'worker',
        target,
        warmup,
        realtime: args.realtime === true,
        otlp,
        onOtlpError: (m) => process.stderr.write(`warning: ${m}\n`),
        trace: args.trace ? (jsonl) => writeAtomic(args.trace, jsonl) : undefined,
        onWorld: progress ? (done, total) => process.stderr.write(`\rlive: world ${done}/${total}${done === total ? '\n' : ''}`) : undefined,
      });
    } catch (err) {
      if (err instanceof TunnelsimError) throw err;
      throw new TunnelsimError('RUNTIME', `live run failed: ${(err as Error).message}`, { file: args.scenario });
    }
    const { writeReportFiles, applyThresholds } = await import('../report-io.js');
    const failed = applyThresholds(report, report.scenario.thresholds);
    const written = await writeReportFiles(report, args.out, `${sc.name}.live`, formats);
    // The table's header carries the time scale and the timer lateness (report/run-info.ts).
    process.stdout.write(`${terminalTable(report, colorEnabled())}\n`);
    for (const t of report.thresholds) process.stdout.write(`${t.ok ? 'ok  ' : 'FAIL'} ${t.policy}: ${t.message ?? t.expression}\n`);
    for (const block of reportBlocks(report)) process.stdout.write(`${block}\n`);
    process.stdout.write(`wrote ${written.map((f) => join(f)).join(', ')}\n`);
    return failed.length > 0 ? 1 : 0;
  },
};
