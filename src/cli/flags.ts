/**
 * Flag values, checked the way a user typed them: each parser takes the raw string, so an error
 * quotes what was typed (never a `NaN` yargs made of it) and names the flag.
 */
import { statSync } from 'node:fs';
import { TunnelsimError } from '../errors.js';

/**
 * A seed: decimal digits only, exactly representable. `0x10`, `1e30` or `9007199254740993` would
 * otherwise silently become another seed (16, a float, 9007199254740992).
 */
export function parseSeed(v: unknown): number | undefined {
  if (v === undefined) return undefined;
  const text = String(v).trim();
  const n = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(n)) {
    throw new TunnelsimError('BAD_INPUT', `'${v}' is not a seed: use a decimal integer from 0 to ${Number.MAX_SAFE_INTEGER}`, { field: '--seed' });
  }
  return n;
}

/** A positive whole number (worker counts, call counts). */
export function parseCount(v: unknown, flag: string, what: string): number | undefined {
  if (v === undefined) return undefined;
  const text = String(v).trim();
  const n = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(n) || n < 1) throw new TunnelsimError('BAD_INPUT', `'${v}' is not ${what}: use an integer ≥ 1`, { field: flag });
  return n;
}

/**
 * `--out DIR` must be a directory or not exist yet: checked before any work starts, so a run never
 * ends (after minutes) in a write error.
 */
export function checkOutDir(dir: string, flag = '--out'): string {
  let isDir: boolean;
  try {
    isDir = statSync(dir).isDirectory();
  } catch {
    return dir;
  }
  if (!isDir) throw new TunnelsimError('BAD_INPUT', `'${dir}' is a file, not a directory`, { field: flag });
  return dir;
}

/** `--out FILE` must not be a directory. */
export function checkOutFile(file: string, flag = '--out'): string {
  let isDir = false;
  try {
    isDir = statSync(file).isDirectory();
  } catch {
    return file;
  }
  if (isDir) throw new TunnelsimError('BAD_INPUT', `'${file}' is a directory: name the file to write`, { field: flag });
  return file;
}
