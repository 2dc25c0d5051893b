/**
 * Loading a scenario: read the file, parse YAML, validate against the strict schema, check the
 * cross-references (tools, policy names), and resolve it into the runtime `Scenario`. Every failure
 * is one `TunnelsimError` naming the file and the field path; nothing here prints or exits.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseDocument, visit } from 'yaml';
import { TunnelsimError } from '../errors.js';
import { distContext } from './dist.js';
import { issueLine } from './issue-line.js';
import { scenarioSchema, type ScenarioFile, type ScriptStepEntry } from './schema.js';
import { resolveScenario } from './resolve.js';
import { parseThreshold } from '../report/thresholds.js';
import type { Scenario } from './types.js';
import { checkWork } from './work.js';

/** Validates an already-parsed object (from YAML or built in code). */
export function parseScenario(data: unknown, file = '<scenario>'): Scenario {
  if (data === null || data === undefined) throw new TunnelsimError('INVALID_SCENARIO', 'is empty', { file });
  if (typeof data !== 'object' || Array.isArray(data)) {
    throw new TunnelsimError('INVALID_SCENARIO', 'must be a YAML mapping (key: value), not a scalar or a list', { file });
  }
  distContext.baseDir = file.startsWith('<') ? '.' : dirname(resolve(file));
  const parsed = scenarioSchema.safeParse(data);
  if (!parsed.success) {
    const { field, message } = issueLine(parsed.error, scenarioSchema);
    throw new TunnelsimError('INVALID_SCENARIO', message, { file, field });
  }
  checkReferences(parsed.data, file);
  const sc = resolveScenario(parsed.data, file);
  const tooMuch = checkWork(sc);
  if (tooMuch) throw new TunnelsimError('INVALID_SCENARIO', tooMuch.message, { file, field: tooMuch.field });
  return { ...sc, raw: data };
}

export function loadScenario(file: string): Scenario {
  return parseScenario(readScenarioData(file), file);
}

/** Reads and parses a scenario file's YAML into plain data, unvalidated (sweeps edit it first). */
export function readScenarioData(file: string): unknown {
  const text = readText(file);
  if (text.trim() === '') throw new TunnelsimError('INVALID_SCENARIO', 'is empty', { file });
  const doc = parseDocument(text, { prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const e = doc.errors[0];
    const at = Math.min(e.pos[0], text.length);
    throw new TunnelsimError('INVALID_SCENARIO', `not valid YAML: ${e.message.split('\n')[0]}${where(text, at)}`, { file });
  }
  compactScalars(doc);
  try {
    // Aliases are expanded at most 100 times: a few lines of nested aliases (a "billion laughs")
    // would otherwise expand into gigabytes.
    return doc.toJS({ maxAliasCount: 100 });
  } catch (err) {
    if (err instanceof ReferenceError || err instanceof RangeError) {
      throw new TunnelsimError('INVALID_SCENARIO', `not valid YAML: ${/alias/i.test(err.message) ? 'aliases expand more than 100 times (an alias bomb?)' : err.message}`, { file });
    }
    throw err;
  }
}

/**
 * Gives every string scalar (keys included) its own copy of its characters. YAML's scalars are
 * slices of the file's text, and a text that holds one character past Latin-1 anywhere (a "—" in a
 * comment) is stored two bytes per character, so every name sliced from it is too — and one such
 * name makes the whole report JSON two-byte: twice the memory and a slower UTF-8 encode of
 * M/M/1's 30 MB report. A JSON round trip is the one copy V8 stores one-byte when it can.
 */
function compactScalars(doc: ReturnType<typeof parseDocument>): void {
  visit(doc, {
    Scalar(_key, node) {
      if (typeof node.value === 'string') node.value = JSON.parse(JSON.stringify(node.value)) as string;
    },
  });
}

/** ` (line L, column C)` of a character offset. */
function where(text: string, at: number): string {
  const line = text.slice(0, at).split('\n').length;
  return ` (line ${line}, column ${at - text.lastIndexOf('\n', at - 1)})`;
}

/** A file's text, which must be UTF-8: other bytes would turn into U+FFFD in names and reports. */
export function readText(file: string): string {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : `cannot read (${code ?? 'error'})`;
    throw new TunnelsimError('UNREADABLE_FILE', why, { file });
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    const bad = firstInvalidUtf8(bytes);
    const before = new TextDecoder('utf-8').decode(bytes.subarray(0, bad));
    throw new TunnelsimError('INVALID_SCENARIO', `is not UTF-8 text: byte 0x${bytes[bad].toString(16).padStart(2, '0')}${where(before, before.length)}`, { file });
  }
}

/** Offset of the first byte that does not start a well-formed UTF-8 sequence. */
function firstInvalidUtf8(b: Uint8Array): number {
  for (let i = 0; i < b.length; ) {
    const c = b[i];
    const len = c < 0x80 ? 1 : c >= 0xc2 && c <= 0xdf ? 2 : c >= 0xe0 && c <= 0xef ? 3 : c >= 0xf0 && c <= 0xf4 ? 4 : 0;
    if (len === 0 || i + len > b.length) return i;
    for (let k = 1; k < len; k++) if ((b[i + k] & 0xc0) !== 0x80) return i;
    const ok = new TextDecoder('utf-8', { fatal: true });
    try {
      ok.decode(b.subarray(i, i + len));
    } catch {
      return i;
    }
    i += len;
  }
  return b.length - 1;
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
