import { describe, expect, it } from 'vitest';
import { commands, loadCommands } from '../../src/cli/commands/index.js';

describe('CLI command index', () => {
  it('names each command as its yargs command string does', async () => {
    for (const entry of commands) {
      const c = await entry.load();
      expect(c.command.split(' ')[0]).toBe(entry.name);
    }
  });

  it('loads only the command a command line names, and all of them otherwise', async () => {
    expect((await loadCommands(['run', 'x.yaml'])).map((c) => c.command)).toEqual(['run <scenario>']);
    expect(await loadCommands(['--help'])).toHaveLength(commands.length);
    expect(await loadCommands(['rnu'])).toHaveLength(commands.length);
  });
});
