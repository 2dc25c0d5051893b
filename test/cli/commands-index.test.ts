import { describe, expect, it, vi } from 'vitest';
import { commands, loadCommands } from '../../src/cli/commands/index.js';
import { runCli } from '../helpers/cli.js';

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

describe('CLI help', () => {
  it('wraps every command description between words, never inside one', async () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    let out: string;
    try {
      const r = await runCli(['--help']);
      expect(r.code).toBe(0);
      out = r.out + log.mock.calls.map((c) => c.join(' ')).join('\n');
    } finally {
      log.mockRestore();
    }
    const lines = out.slice(out.indexOf('Commands:'), out.indexOf('Options:')).split('\n').slice(1).filter((l) => l.trim());
    // Descriptions start in one column; continuation lines are indented to it.
    const col = Math.min(...lines.filter((l) => !l.startsWith('  tunnelsim')).map((l) => l.length - l.trimStart().length));
    const words = lines.flatMap((l) => l.slice(col).trim().split(/\s+/));
    const described = new Set<string>();
    for (const entry of commands) for (const w of (await entry.load()).describe.split(/\s+/)) described.add(w);
    expect(lines.length).toBeGreaterThan(commands.length);
    expect(words.filter((w) => !described.has(w))).toEqual([]);
  });
});
