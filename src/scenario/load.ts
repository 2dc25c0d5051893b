/**
 * Loading a scenario: read the file, parse YAML, validate against the strict schema, check the
 * cross-references (tools, policy names), and resolve it into the runtime `Scenario`. Every failure
 * is one `TunnelsimError` naming the file and the field path; nothing here prints or exits.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { TunnelsimError } from '../errors.js';
import { distContext } from './dist.js';
import { formatPath } from './field-path.js';
import { scenarioSchema, type ScenarioFile, type ScriptStepEntry } from './schema.js';
import { resolveScenario } from './resolve.js';
import { parseThreshold } from '../report/thresholds.js';
import type { Scenario } from './types.js';

/** Formats a zod path as `policies[2].retry.maxAttempts`. */
function firstIssue(error: z.ZodError): { field: string; message: string } {
  const issue = error.issues[0];
  let message = issue.message;
  if (issue.code === 'unrecognized_keys') {
    const keys = (issue as { keys: string[] }).keys;
    return { field: formatPath([...issue.path, keys[0]]), message: `unknown key${keys.length > 1 ? ` (also: ${keys.slice(1).join(', ')})` : ''}` };
  }
  if (issue.code === 'invalid_type' && /received undefined/.test(message)) message = 'required';
  return { field: formatPath(issue.path), message };
}

/** Validates an already-parsed object (from YAML or built in code). */
export function parseScenario(data: unknown, file = '<scenario>'): Scenario {
  if (data === null || data === undefined) throw new TunnelsimError('INVALID_SCENARIO', 'is empty', { file });
  if (typeof data !== 'object' || Array.isArray(data)) {
    throw new TunnelsimError('INVALID_SCENARIO', 'must be a YAML mapping (key: value), not a scalar or a list', { file });
  }
  distContext.baseDir = file.startsWith('<') ? '.' : dirname(resolve(file));
  const parsed = scenarioSchema.safeParse(data);
  if (!parsed.success) {
    const { field, message } = firstIssue(parsed.error);
    throw new TunnelsimError('INVALID_SCENARIO', message, { file, field });
  }
  checkReferences(parsed.data, file);
  return { ...resolveScenario(parsed.data, file), raw: data };
}

export function loadScenario(file: string): Scenario {
  return parseScenario(readScenarioData(file), file);
}

/** Reads and parses a scenario file's YAML into plain data, unvalidated (sweeps edit it first). */
export function readScenarioData(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : `cannot read (${code ?? 'error'})`;
    throw new TunnelsimError('UNREADABLE_FILE', why, { file });
  }
  if (text.trim() === '') throw new TunnelsimError('INVALID_SCENARIO', 'is empty', { file });
  const doc = parseDocument(text, { prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const e = doc.errors[0];
    const at = Math.min(e.pos[0], text.length);
    const line = text.slice(0, at).split('\n').length;
    const where = ` (line ${line}, column ${at - text.lastIndexOf('\n', at - 1)})`;
    throw new TunnelsimError('INVALID_SCENARIO', `not valid YAML: ${e.message.split('\n')[0]}${where}`, { file });
  }
  return doc.toJS();
}

function checkReferences(s: ScenarioFile, file: string): void {
  const tools = new Set(Object.keys(s.server.tools));
  const fail = (field: string, message: string): never => {
    throw new TunnelsimError('INVALID_SCENARIO', message, { file, field });
  };
  if (tools.size === 0) fail('server.tools', 'needs at least one tool');
  const known = (name: string, field: string) => {
    if (!tools.has(name)) fail(field, `unknown tool '${name}' (server.tools has: ${[...tools].join(', ')})`);
  };
  s.workflow.tools?.forEach((t, i) => known(t, `workflow.tools[${i}]`));
  if (Array.isArray(s.workflow.order)) s.workflow.order.forEach((t, i) => known(t, `workflow.order[${i}]`));
  for (const t of Object.keys(s.workflow.weights ?? {})) known(t, `workflow.weights.${t}`);
  const walk = (steps: ScriptStepEntry[], path: string): void =>
    steps.forEach((st, i) => {
      const here = `${path}[${i}]`;
      const callTool = (c: string | { tool: string }) => (typeof c === 'string' ? c : c.tool);
      if ('call' in st) known(callTool(st.call), `${here}.call`);
      else if ('parallel' in st) st.parallel.forEach((c, j) => known(callTool(c), `${here}.parallel[${j}]`));
      else if ('branch' in st) {
        walk(st.branch.then, `${here}.branch.then`);
        if (st.branch.else) walk(st.branch.else, `${here}.branch.else`);
      } else walk(st.repeat.steps, `${here}.repeat.steps`);
    });
  if (s.workflow.script) walk(s.workflow.script, 'workflow.script');
  s.workflow.trace?.forEach((steps, i) =>
    steps.forEach((calls) => calls.forEach((c) => tools.has(c.tool) || fail('workflow.trace', `session ${i + 1} calls unknown tool '${c.tool}' (server.tools has: ${[...tools].join(', ')})`))),
  );
  s.faults.forEach((f, i) => {
    if (f.tool !== undefined) known(f.tool, `faults[${i}].tool`);
  });
  const names = new Set<string>();
  s.policies.forEach((p, i) => {
    if (names.has(p.name)) fail(`policies[${i}].name`, `duplicate policy name '${p.name}'`);
    names.add(p.name);
    const t = p.timeout;
    if (t && typeof t === 'object' && !('kind' in t) && t.perTool && !('kind' in t.perTool)) {
      for (const name of Object.keys(t.perTool)) known(name, `policies[${i}].timeout.perTool.${name}`);
    }
  });
  for (const key of Object.keys(s.thresholds)) {
    if (key !== '*' && !names.has(key)) fail(`thresholds.${key}`, `no policy named '${key}' (policies: ${[...names].join(', ')}; '*' means all)`);
    s.thresholds[key].forEach((expr, i) => {
      try {
        parseThreshold(expr, `thresholds.${key}[${i}]`);
      } catch (err) {
        const e = err as TunnelsimError;
        throw new TunnelsimError('INVALID_SCENARIO', e.message, { file, field: e.field ?? `thresholds.${key}[${i}]` });
      }
    });
  }
}
