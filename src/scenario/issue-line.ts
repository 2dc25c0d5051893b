/**
 * One validation problem as the one line a user reads: which field, and what is wrong in words.
 *
 * How it chooses: zod reports every problem, unions as one `invalid_union` holding each branch's
 * problems. The branches are flattened to the one the value really tried (a string for a
 * duration, not the object form it could also have been), and problems are ranked so the cause
 * comes first: an unknown key (a typo) before the `required` it leaves behind, and a specific
 * message before a type mismatch. An unknown key close to a known one says "did you mean".
 */
import type { z } from 'zod';
import { didYouMean } from '../suggest.js';
import { formatPath } from './field-path.js';

type Issue = z.core.$ZodIssue;
type Path = PropertyKey[];

/** The issues of the branch a value really tried, with full paths. */
function flatten(issues: readonly Issue[], prefix: Path = []): Issue[] {
  const out: Issue[] = [];
  for (const issue of issues) {
    const path = [...prefix, ...issue.path];
    if (issue.code === 'invalid_union' && issue.errors.length > 0) {
      // A branch that failed only on its own type did not match the value's shape at all.
      const tried = issue.errors.filter((b) => !b.every((i) => i.code === 'invalid_type' && i.path.length === 0));
      const pick = (tried.length > 0 ? tried : issue.errors).reduce((best, b) => (depth(b) > depth(best) ? b : best));
      out.push(...flatten(pick, path));
    } else {
      out.push({ ...issue, path } as Issue);
    }
  }
  return out;
}

const depth = (b: readonly Issue[]): number => Math.max(...b.map((i) => i.path.length + (i.code === 'invalid_type' ? 0 : 0.5)));

function rank(i: Issue): number {
  if (i.code === 'unrecognized_keys') return 0;
  if (i.code === 'custom') return 1;
  if (i.code === 'invalid_type' && isMissing(i)) return 3;
  return 2;
}

const isMissing = (i: Issue): boolean => i.code === 'invalid_type' && /received undefined/.test(i.message);

/** The object keys the schema accepts at a path (every union branch), for "did you mean". */
export function keysAt(schema: z.ZodType, path: readonly PropertyKey[]): string[] {
  const keys = new Set<string>();
  const visit = (node: any, rest: readonly PropertyKey[], guard: number): void => {
    if (!node || guard > 64) return;
    const def = node._zod?.def ?? node.def;
    if (!def) return;
    switch (def.type) {
      case 'optional':
      case 'nullable':
      case 'default':
      case 'prefault':
      case 'catch':
      case 'readonly':
      case 'nonoptional':
        return visit(def.innerType, rest, guard + 1);
      case 'pipe':
        return visit(def.in, rest, guard + 1);
      case 'lazy':
        return visit(def.getter(), rest, guard + 1);
      case 'union':
        for (const o of def.options) visit(o, rest, guard + 1);
        return;
      case 'intersection':
        visit(def.left, rest, guard + 1);
        visit(def.right, rest, guard + 1);
        return;
      case 'array':
        if (rest.length > 0 && typeof rest[0] === 'number') visit(def.element, rest.slice(1), guard + 1);
        return;
      case 'record':
        if (rest.length > 0) visit(def.valueType, rest.slice(1), guard + 1);
        return;
      case 'object':
        if (rest.length === 0) for (const k of Object.keys(def.shape)) keys.add(k);
        else visit(def.shape[String(rest[0])], rest.slice(1), guard + 1);
        return;
    }
  };
  visit(schema, path, 0);
  return [...keys];
}

const EXPECTED: Record<string, string> = {
  object: 'a mapping (key: value)',
  array: 'a list',
  int: 'an integer',
  number: 'a number',
  string: 'a string',
  boolean: 'true or false',
};

/** zod's own wording starts like this; a message the schema wrote itself is kept as written. */
const GENERIC = /^(Too small|Too big|Invalid input|Invalid option|Invalid number|Number must|Expected)/;

function words(i: Issue): string {
  if (!GENERIC.test(i.message)) return i.message;
  switch (i.code) {
    case 'invalid_type':
      if (isMissing(i)) return 'required';
      return `must be ${EXPECTED[i.expected] ?? `a ${i.expected}`}`;
    case 'too_small': {
      const limit = Number(i.minimum);
      if (i.origin === 'array') return `needs at least ${limit} entr${limit === 1 ? 'y' : 'ies'}`;
      if (i.origin === 'string') return 'must not be empty';
      return `must be ${i.inclusive ? '≥' : '>'} ${limit}`;
    }
    case 'too_big':
      if (i.origin === 'array') return `takes at most ${Number(i.maximum)} entries`;
      return `must be ${i.inclusive ? '≤' : '<'} ${Number(i.maximum)}`;
    case 'invalid_value':
      return `must be one of: ${i.values.map((v) => String(v)).join(', ')}`;
    case 'not_multiple_of':
      return /int/.test(i.message) ? 'must be an integer' : i.message;
    default:
      return i.message;
  }
}

/** The line for a failed parse: the most telling problem, and how many others there are. */
export function issueLine(error: z.ZodError, schema: z.ZodType): { field: string; message: string } {
  const issues = flatten(error.issues);
  const sorted = issues.map((issue, n) => ({ issue, n })).sort((a, b) => rank(a.issue) - rank(b.issue) || a.n - b.n);
  const first = sorted[0].issue;
  // Problems a typo causes (the `required` of the key it misspelt) are not counted as others.
  const more = issues.length - 1 - (first.code === 'unrecognized_keys' ? issues.filter((i) => isMissing(i)).length : 0);
  const tail = more > 0 ? ` (${more} more problem${more === 1 ? '' : 's'} in this file)` : '';
  if (first.code === 'unrecognized_keys') {
    const typed = first.keys[0];
    const known = keysAt(schema, first.path).filter((k) => !first.keys.includes(k));
    const hint = didYouMean(typed, known);
    const also = first.keys.length > 1 ? ` (also: ${first.keys.slice(1).join(', ')})` : '';
    return { field: formatPath([...first.path, typed]), message: `unknown key${hint ? ` (did you mean '${hint}'?)` : ''}${also}${tail}` };
  }
  return { field: formatPath(first.path), message: `${words(first)}${tail}` };
}
