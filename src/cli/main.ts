#!/usr/bin/env node
/**
 * The command line: thin yargs commands that parse flags and call run/ and report/. Each command
 * lives in cli/commands/<name>.ts and is loaded here only when the command line needs it. Errors
 * become one line and an exit code.
 */
import { createRequire } from 'node:module';
import { TunnelsimError } from '../errors.js';
import { loadCommands } from './commands/index.js';
import { VERSION } from '../run/version.js';

/**
 * yargs 17 through its CommonJS build: the ESM build's cliui wraps help text in the middle of a
 * word, and yargs 18's imports (cliui, string-width and its Intl.Segmenter) cost every command
 * about 60 ms (a one-workflow run: 2.75 G instructions against 2.29 G), and startup counts in
 * every whole-process figure.
 */
const require = createRequire(import.meta.url);
const yargs = require('yargs') as typeof import('yargs').default;
const { hideBin } = require('yargs/helpers') as typeof import('yargs/helpers');

/** A closed pipe (`tunnelsim run … | head`) ends the process quietly instead of with a stack trace. */
function quietOnClosedPipe(): void {
  for (const stream of [process.stdout, process.stderr]) {
    if (stream.listenerCount('error') > 0) continue;
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
      throw err;
    });
  }
}

export async function main(argv: string[]): Promise<number> {
  quietOnClosedPipe();
  if (argv.length === 1 && argv[0] === '--version') {
    process.stdout.write(`${VERSION}\n`);
    return 0;
  }
  let exitCode = 0;
  const parser = yargs(argv)
    .scriptName('tunnelsim')
    .usage('$0 <command> [options]')
    .strict()
    .demandCommand(1, 'name a command (see --help)')
    .recommendCommands()
    .help()
    .version(false)
    .option('version', { type: 'boolean', describe: 'print the version and exit' })
    .exitProcess(false)
    .wrap(Math.min(100, process.stdout.columns || 100))
    .fail((msg, err) => {
      if (err) throw err;
      // yargs suggests without saying what it could not find; the user should see what they typed.
      const hint = /^Did you mean (\S+?)\??$/.exec(msg ?? '');
      if (hint) throw new TunnelsimError('BAD_INPUT', `unknown command '${argv[0]}': did you mean ${hint[1]}?`);
      throw new TunnelsimError('BAD_INPUT', msg ?? 'bad usage');
    });
  for (const c of await loadCommands(argv)) {
    parser.command(c.command, c.describe, c.builder, async (args: any) => {
      exitCode = (await c.handler(args)) ?? 0;
    });
  }
  try {
    await parser.parseAsync();
    return exitCode;
  } catch (err) {
    if (err instanceof TunnelsimError) {
      process.stderr.write(`error: ${err.line()}\n`);
      return err.exitCode;
    }
    const e = err as Error;
    process.stderr.write(`error: internal: ${e?.message ?? String(err)}\n`);
    if (process.env.TUNNELSIM_DEBUG) process.stderr.write(`${e?.stack ?? ''}\n`);
    return 3;
  }
}

const isMain = process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href;
if (isMain) {
  main(hideBin(process.argv)).then((code) => {
    process.exitCode = code;
  });
}
