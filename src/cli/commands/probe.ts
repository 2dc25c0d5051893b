/** `tunnelsim probe --url URL`: measure a real MCP endpoint and write empirical samples a scenario loads. */
import { relative } from 'node:path';
import { TunnelsimError } from '../../errors.js';
import { writeAtomic } from '../output.js';
import { parseEncoding } from './live.js';
import type { Command } from './types.js';

function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s[Math.min(s.length - 1, Math.floor(q * s.length))];
}

export const probeCommand: Command = {
  command: 'probe',
  describe: "call a real MCP endpoint's tools and write empirical latency and result-size samples",
  builder: (y) =>
    y
      .option('url', { type: 'string', demandOption: true, describe: 'Streamable HTTP MCP endpoint' })
      .option('tool', { type: 'string', array: true, describe: 'probe only this tool (repeatable; default: every listed tool)' })
      .option('calls', { type: 'string', default: '100', describe: 'calls per tool, one at a time' })
      .option('args', { type: 'string', default: '{}', describe: 'tool arguments as JSON' })
      .option('token-env', { type: 'string', describe: 'environment variable holding a bearer token for the Authorization header' })
      .option('encoding', { type: 'string', default: 'o200k_base', describe: 'tokenizer encoding for result sizes' })
      .option('out', { type: 'string', default: 'probe', describe: 'directory for the sample files' })
      .option('trace', { type: 'string', describe: 'also write the calls as a replayable trace (JSONL; workflow: { trace: FILE })' }),
  handler: async (args) => {
    const calls = Number(args.calls);
    if (!Number.isInteger(calls) || calls < 1) throw new TunnelsimError('BAD_INPUT', `'${args.calls}' is not a call count: use an integer ≥ 1`, { field: '--calls' });
    let toolArgs: Record<string, unknown>;
    try {
      toolArgs = JSON.parse(args.args) as Record<string, unknown>;
    } catch {
      throw new TunnelsimError('BAD_INPUT', `'${args.args}' is not JSON`, { field: '--args' });
    }
    let url: URL;
    try {
      url = new URL(args.url);
    } catch {
      throw new TunnelsimError('BAD_INPUT', `'${args.url}' is not a URL`, { field: '--url' });
    }
    let token: string | undefined;
    if (args['token-env'] !== undefined) {
      token = process.env[args['token-env']];
      if (!token) throw new TunnelsimError('BAD_INPUT', `${args['token-env']} is not set`, { field: '--token-env' });
    }
    const encoding = parseEncoding(args.encoding);
    let probes;
    try {
      const { probe } = await import('../../live/probe.js');
      probes = await probe({ url: url.href, tools: args.tool, calls, args: toolArgs, token, encoding });
    } catch (err) {
      if (err instanceof RangeError) throw new TunnelsimError('BAD_INPUT', err.message, { field: '--tool' });
      throw new TunnelsimError('RUNTIME', `probe failed: ${(err as Error).message}`);
    }
    const { probeTrace, writeProbeFiles } = await import('../../live/probe.js');
    const files = await writeProbeFiles(probes, args.out);
    if (args.trace !== undefined) writeAtomic(args.trace, probeTrace(probes));
    for (const p of probes) {
      const l = p.latencyMs;
      process.stdout.write(`${p.tool}: ${l.length} calls, ${p.errors} errors, latency p50 ${quantile(l, 0.5).toFixed(2)}ms p95 ${quantile(l, 0.95).toFixed(2)}ms p99 ${quantile(l, 0.99).toFixed(2)}ms, result tokens p50 ${quantile(p.resultTokens, 0.5)}\n`);
    }
    process.stdout.write('\nin a scenario file in this directory (empirical paths are read relative to the scenario file: move them with it):\n');
    for (const f of files) {
      process.stdout.write(`  ${f.tool}: { service: { dist: empirical, file: ${relative('.', f.latency)} }, resultTokens: { dist: empirical, file: ${relative('.', f.tokens)} } }\n`);
    }
    if (args.trace !== undefined) process.stdout.write(`\nthe calls as a trace: workflow: { trace: ${relative('.', args.trace)} }\n`);
    return probes.some((p) => p.latencyMs.length === 0) ? 3 : 0;
  },
};
