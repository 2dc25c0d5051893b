/**
 * Every CLI command, in the order `--help` lists them. Each is loaded only when it runs (or when
 * help lists them all): a `tunnelsim run` never pays for the relay, the token signer or the live
 * stack, and startup counts in every whole-process figure. Add a command by listing it here.
 */
import type { Command } from './types.js';

export interface CommandEntry {
  /** The command's name: the first word of its yargs command string. */
  name: string;
  load: () => Promise<Command>;
}

export const commands: CommandEntry[] = [
  { name: 'run', load: async () => (await import('./run.js')).runCommand },
  { name: 'validate', load: async () => (await import('./validate.js')).validateCommand },
  { name: 'sweep', load: async () => (await import('./sweep.js')).sweepCommand },
  { name: 'capacity', load: async () => (await import('./capacity.js')).capacityCommand },
  { name: 'tune', load: async () => (await import('./tune.js')).tuneCommand },
  { name: 'live', load: async () => (await import('./live.js')).liveCommand },
  { name: 'calibrate', load: async () => (await import('./calibrate.js')).calibrateCommand },
  { name: 'probe', load: async () => (await import('./probe.js')).probeCommand },
  { name: 'import', load: async () => (await import('./import.js')).importCommand },
  { name: 'merge', load: async () => (await import('./merge.js')).mergeCommand },
  { name: 'compare', load: async () => (await import('./compare.js')).compareCommand },
  { name: 'bench', load: async () => (await import('./bench.js')).benchCommand },
  { name: 'relay', load: async () => (await import('./relay.js')).relayCommand },
  { name: 'connect', load: async () => (await import('./connect.js')).connectCommand },
  { name: 'token', load: async () => (await import('./token.js')).tokenCommand },
];

/**
 * The commands a command line needs: the one it names, or all of them when it names none (help,
 * a typo that wants a suggestion).
 */
export async function loadCommands(argv: readonly string[]): Promise<Command[]> {
  const named = commands.find((c) => c.name === argv[0]);
  return Promise.all((named ? [named] : commands).map((c) => c.load()));
}
