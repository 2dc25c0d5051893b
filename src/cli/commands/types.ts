import type { Argv } from 'yargs';

/** One CLI command: yargs command string, description, flag builder, and a handler that returns the exit code. */
export interface Command {
  command: string;
  describe: string;
  builder: (y: Argv) => Argv<any>;
  handler: (args: any) => Promise<number | void>;
}
