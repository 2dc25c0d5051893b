/**
 * `tunnelsim import otlp FILE...`: production traces (OTLP/JSON, as the OpenTelemetry Collector's
 * file exporter writes them) → per-tool empirical latency split into tunnel and server time, a
 * replayable session trace, LLM turn figures, and a scenario that replays them
 * (scenario/otlp-import.ts, otlp-scenario.ts). Every file is written or none is.
 */
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { TunnelsimError } from '../../errors.js';
import { importOtlp } from '../../scenario/otlp-import.js';
import { importFiles, llmImport, percentile, toolImports, type TraceLatency } from '../../scenario/otlp-scenario.js';
import { checkOutDir } from '../flags.js';
import type { Command } from './types.js';

function readInput(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new TunnelsimError('UNREADABLE_FILE', `cannot read (${(err as NodeJS.ErrnoException).code ?? 'error'})`, { file });
  }
}

/** Writes every file into `out` through a temporary directory, so a failure leaves nothing half-written. */
async function writeAll(out: string, files: Map<string, string>): Promise<string[]> {
  try {
    await mkdir(out, { recursive: true });
    const tmp = await mkdtemp(join(out, '.import.tmp-'));
    try {
      for (const [name, text] of files) await writeFile(join(tmp, name), text);
      const written: string[] = [];
      for (const name of files.keys()) {
        await rename(join(tmp, name), join(out, name));
        written.push(join(out, name));
      }
      return written;
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
  } catch (err) {
    throw new TunnelsimError('RUNTIME', `cannot write: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, { file: out });
  }
}

const ms = (v: number) => (Number.isFinite(v) ? `${v.toFixed(2)}ms` : '-');

export const importCommand: Command = {
  command: 'import <format> <files..>',
  describe: 'read production telemetry (OTLP/JSON traces) into empirical distributions, a replayable trace and a scenario',
  builder: (y) =>
    y
      .positional('format', { type: 'string', choices: ['otlp'], describe: 'input format: otlp (OTLP/JSON trace files, e.g. the Collector file exporter)' })
      .positional('files', { type: 'string', array: true, describe: 'trace files (JSON lines of ExportTraceServiceRequest, or one JSON document)' })
      .option('out', { type: 'string', default: 'imported', describe: 'output directory' })
      .option('name', { type: 'string', default: 'imported', describe: "the written scenario's name and file stem" })
      .option('latency', { type: 'string', choices: ['call', 'server'], default: 'call', describe: "each traced call's latencyMs: the agent's round trip, or the server's time where a server span exists" }),
  handler: async (args: { files: string[]; out: string; name: string; latency: string }) => {
    checkOutDir(args.out);
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(args.name)) throw new TunnelsimError('BAD_INPUT', `'${args.name}' is not a plain name (letters, digits, . _ -)`, { field: '--name' });
    const inputs = args.files.map((file) => ({ file, text: readInput(file) }));
    const result = importOtlp(inputs);
    const files = importFiles(result, { name: args.name, latency: args.latency as TraceLatency, sources: args.files });
    const written = await writeAll(args.out, files);
    const w = (s: string) => process.stdout.write(`${s}\n`);
    w(`read ${result.spans} spans: ${result.calls.length} tool calls, ${result.turns.length} LLM turns, ${result.ignored} other spans (not tool calls or LLM turns)`);
    for (const [reason, n] of result.skipped) process.stderr.write(`warning: ${n} ${reason}\n`);
    w('');
    w('tool                     calls  errors   call p50   call p99  server p50  server p99  tunnel p50  tunnel p99');
    for (const t of toolImports(result.calls)) {
      const cells = [t.callMs, t.callMs, t.serverMs, t.serverMs, t.tunnelMs, t.tunnelMs].map((v, i) => ms(percentile(v, i % 2 === 0 ? 0.5 : 0.99)));
      w(`${t.tool.padEnd(24)} ${String(t.calls).padStart(6)} ${String(t.errors).padStart(7)} ${cells.map((c, i) => c.padStart(i < 2 ? 10 : 11)).join(' ')}`);
    }
    const llm = llmImport(result.turns);
    if (llm) {
      const fit = llm.fit ? `; fitted ttft ${llm.fit.ttftMs.toFixed(1)}ms + ${llm.fit.outputTokensPerSec.toFixed(1)} output tokens/s` : '';
      w(`\nLLM turns: ${llm.turns}, duration p50 ${ms(percentile(llm.durationMs, 0.5))} p99 ${ms(percentile(llm.durationMs, 0.99))}, input tokens p50 ${percentile(llm.inputTokens, 0.5)}, output tokens p50 ${percentile(llm.outputTokens, 0.5)}${llm.models.length ? ` (${llm.models.join(', ')})` : ''}${fit}`);
    }
    w(`\nwrote ${written.join(', ')}`);
    w(`replay: tunnelsim run ${join(args.out, `${args.name}.yaml`)}`);
    return 0;
  },
};
