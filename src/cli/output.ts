/** Writing files the CLI produces: atomically (temp file + rename), so an error never leaves half a file. */
import { mkdirSync, renameSync, writeFileSync, rmSync } from 'node:fs';
import { dirname, join, basename } from 'node:path';
import { TunnelsimError } from '../errors.js';

export function writeAtomic(file: string, text: string): void {
  const tmp = join(dirname(file), `.${basename(file)}.${process.pid}.tmp`);
  try {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(tmp, text);
    renameSync(tmp, file);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw new TunnelsimError('RUNTIME', `cannot write: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, { file });
  }
}

/** Progress goes to stderr on a TTY, never in CI. */
export function progressEnabled(): boolean {
  return Boolean(process.stderr.isTTY) && !process.env.CI;
}

export function colorEnabled(): boolean {
  return Boolean(process.stdout.isTTY) && !process.env.NO_COLOR;
}
