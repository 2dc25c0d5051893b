/**
 * Traces of real agent sessions, replayed verbatim (`workflow: { trace: file.jsonl }`). One JSON
 * object per line is one step — one LLM turn and the tool calls it made (several: a parallel
 * group) — with the session it belongs to:
 *
 *   {"session": "s-1", "calls": [{"tool": "crm.search", "latencyMs": 182.5, "argTokens": 40, "resultTokens": 900}]}
 *
 * Steps of a session follow in file order; consecutive lines of one session with the same `step`
 * number are one parallel group. Sessions come in order of first appearance. Workflow w
 * replays session w mod (number of sessions). `latencyMs` is the server's time for the call (the
 * tool's service time), `resultTokens` its result size; either may be left out to draw from the
 * scenario's tool table. The network, relay and faults stay the scenario's, so the same sessions
 * run under every policy. `traceJsonl` writes the format (live runs and `probe` record traces).
 */
import { z } from 'zod';
import { readRelative } from './dist.js';

export interface TraceCall {
  tool: string;
  latencyMs?: number;
  argTokens?: number;
  resultTokens?: number;
}

/** One recorded call, as `traceJsonl` writes it. */
export interface TracedCall {
  /** The session (a workflow in a live run). */
  workflow: number;
  step: number;
  /** Place in the step's parallel group. */
  position: number;
  tool: string;
  latencyMs: number;
  resultTokens: number;
  argTokens?: number;
}

/** Recorded calls as a replayable trace: one line per call, in (session, step, position) order. */
export function traceJsonl(calls: readonly TracedCall[]): string {
  const sorted = [...calls].sort((a, b) => a.workflow - b.workflow || a.step - b.step || a.position - b.position);
  return sorted
    .map((c) => {
      const call = { tool: c.tool, latencyMs: Number(c.latencyMs.toFixed(3)), ...(c.argTokens !== undefined ? { argTokens: c.argTokens } : {}), resultTokens: c.resultTokens };
      return `${JSON.stringify({ session: c.workflow, step: c.step, calls: [call] })}
`;
    })
    .join('');
}

/** Sessions → steps → calls. */
export type Trace = TraceCall[][][];

const callSchema = z.strictObject({
  tool: z.string().min(1),
  latencyMs: z.number().finite().nonnegative().optional(),
  argTokens: z.number().int().nonnegative().optional(),
  resultTokens: z.number().int().nonnegative().optional(),
  ok: z.boolean().optional(),
});
const stepSchema = z.strictObject({ session: z.union([z.string(), z.number()]), calls: z.array(callSchema).min(1).max(64), step: z.number().int().optional() });

/** Parses a trace file's text; problems are reported as issues naming the line. */
export function parseTrace(text: string, file: string, ctx: z.RefinementCtx): Trace {
  const sessions = new Map<string, TraceCall[][]>();
  const lastStep = new Map<string, number | undefined>();
  const lines = text.split(/\r?\n/);
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n].trim();
    if (!line || line.startsWith('#')) continue;
    let data: unknown;
    try {
      data = JSON.parse(line);
    } catch {
      ctx.addIssue({ code: 'custom', message: `trace '${file}' line ${n + 1}: not JSON` });
      return [];
    }
    const r = stepSchema.safeParse(data);
    if (!r.success) {
      const issue = r.error.issues[0];
      const at = issue.path.length ? ` ${issue.path.join('.')}:` : '';
      ctx.addIssue({ code: 'custom', message: `trace '${file}' line ${n + 1}:${at} ${issue.message}` });
      return [];
    }
    const key = String(r.data.session);
    let steps = sessions.get(key);
    if (!steps) sessions.set(key, (steps = []));
    const calls = r.data.calls.map(({ ok: _ok, ...c }) => c);
    // Lines that carry the same `step` as the session's previous line are one parallel group
    // (a live run's trace writes one line per call).
    const step = r.data.step;
    if (step !== undefined && lastStep.get(key) === step) steps[steps.length - 1].push(...calls);
    else steps.push(calls);
    lastStep.set(key, step);
  }
  if (sessions.size === 0) ctx.addIssue({ code: 'custom', message: `trace '${file}' holds no steps` });
  return [...sessions.values()];
}

export const traceSchema = z.string().transform((file, ctx): Trace => {
  const text = readRelative(file, 'trace', ctx);
  return text === undefined ? [] : parseTrace(text, file, ctx);
});
