/** Reading a JSON file named on the command line, with errors that name the file. */
import { readFile } from 'node:fs/promises';
import { TunnelsimError } from '../errors.js';

export async function readJsonFile(file: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw new TunnelsimError('UNREADABLE_FILE', (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message, { file });
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new TunnelsimError('INVALID_REPORT', `not JSON: ${(e as Error).message}`, { file });
  }
}
