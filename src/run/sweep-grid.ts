/**
 * The grid of a sweep: each `--set key=v1,v2,…` names a dotted path into the scenario's YAML data
 * and the values to try; the grid is their cartesian product, the first `--set` varying slowest.
 * A path segment that meets a list picks the element whose `name` equals it (policies by name:
 * `policies.seed-guidance.retry.maxAttempts`) or, when numeric, the element at that index
 * (`faults.1.probability`). Values are read as YAML scalars, so `3`, `true` and `250ms` mean what
 * they mean in the scenario file.
 */
import { parse } from 'yaml';
import { TunnelsimError } from '../errors.js';

export interface SweepAxis {
  path: string;
  values: unknown[];
  /** The values as typed, for labels. */
  labels: string[];
}

/** One grid point: a value per axis, in axis order. */
export type SweepAssignment = { path: string; value: unknown; label: string }[];

export function parseSet(text: string): SweepAxis {
  const eq = text.indexOf('=');
  const path = eq > 0 ? text.slice(0, eq).trim() : '';
  const labels = eq > 0 ? text.slice(eq + 1).split(',').map((v) => v.trim()) : [];
  if (!path || labels.length === 0 || labels.some((v) => v === '')) {
    throw new TunnelsimError('BAD_INPUT', `'${text}' is not key=v1,v2,…: e.g. policies.seed-guidance.retry.maxAttempts=1,2,3`, { field: '--set' });
  }
  if (path.split('.').some((s) => s === '')) throw new TunnelsimError('BAD_INPUT', `'${path}' has an empty segment`, { field: '--set' });
  return { path, labels, values: labels.map((v) => parse(v) as unknown) };
}

export function grid(axes: readonly SweepAxis[]): SweepAssignment[] {
  const seen = new Set<string>();
  for (const a of axes) {
    if (seen.has(a.path)) throw new TunnelsimError('BAD_INPUT', `${a.path} is set twice`, { field: '--set' });
    seen.add(a.path);
  }
  let points: SweepAssignment[] = [[]];
  for (const a of axes) points = points.flatMap((p) => a.values.map((value, i) => [...p, { path: a.path, value, label: a.labels[i] }]));
  return points;
}

/** Sets `path` to `value` inside `data` (mutates), creating missing mappings along the way. */
export function applySet(data: unknown, path: string, value: unknown): void {
  const segs = path.split('.');
  let node = data as Record<string, unknown> | unknown[];
  for (let i = 0; i < segs.length; i++) {
    const seg = segs[i];
    const last = i === segs.length - 1;
    const where = segs.slice(0, i + 1).join('.');
    if (Array.isArray(node)) {
      let index = node.findIndex((x) => typeof x === 'object' && x !== null && (x as { name?: unknown }).name === seg);
      if (index < 0 && /^\d+$/.test(seg) && Number(seg) < node.length) index = Number(seg);
      if (index < 0) {
        const names = node.map((x) => (x as { name?: unknown })?.name).filter((n) => typeof n === 'string');
        throw new TunnelsimError('BAD_INPUT', `${path}: ${where}: no element named '${seg}'${names.length ? ` (have: ${names.join(', ')})` : ''}`, { field: '--set' });
      }
      if (last) node[index] = value;
      else node = node[index] as Record<string, unknown>;
      continue;
    }
    if (typeof node !== 'object' || node === null) throw new TunnelsimError('BAD_INPUT', `${path}: ${segs.slice(0, i).join('.')} is not a mapping`, { field: '--set' });
    if (last) {
      node[seg] = value;
      break;
    }
    let next = node[seg];
    // `preset: x` policies hold only a name; a set inside one creates the mapping it needs.
    if (next === undefined || next === null || typeof next !== 'object') {
      if (next !== undefined && next !== null && typeof next !== 'object') {
        throw new TunnelsimError('BAD_INPUT', `${path}: ${where} is a value (${JSON.stringify(next)}), not a mapping`, { field: '--set' });
      }
      node[seg] = next = {};
    }
    node = next as Record<string, unknown>;
  }
}
