import { describe, expect, it } from 'vitest';
import { ESLint } from 'eslint';

// The layering of docs/design.md, checked through the project's own eslint.config.js: a pure folder
// never imports an I/O or composition folder, and the tunnel never imports the live driver.
const eslint = new ESLint({ cwd: process.cwd() });

async function layeringErrors(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: file });
  return result.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('eslint layering rules', () => {
  it('refuses an import from src/relay/ into src/tunnel/', async () => {
    const errors = await layeringErrors('src/relay/probe-layering.ts', "import { RelayServer } from '../tunnel/relay-server.js';\nexport const x = RelayServer;\n");
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/pure folder/);
  });

  it('refuses a type-only import from a pure folder into run/', async () => {
    const errors = await layeringErrors('src/report/probe-layering.ts', "import type { TuneOptions } from '../run/tune.js';\nexport type X = TuneOptions;\n");
    expect(errors).toHaveLength(1);
  });

  it('refuses an import from src/tunnel/ into src/live/', async () => {
    const errors = await layeringErrors('src/tunnel/probe-layering.ts', "import { LiveClock } from '../live/live-clock.js';\nexport const x = LiveClock;\n");
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/tunnel\//);
  });

  it('allows the imports the design allows', async () => {
    expect(await layeringErrors('src/relay/probe-layering.ts', "import { keyedUniform } from '../kernel/rng.js';\nexport const x = keyedUniform;\n")).toEqual([]);
    expect(await layeringErrors('src/tunnel/probe-layering.ts', "import { RelayCore } from '../relay/core.js';\nexport const x = RelayCore;\n")).toEqual([]);
    expect(await layeringErrors('src/live/probe-layering.ts', "import { RelayServer } from '../tunnel/relay-server.js';\nexport const x = RelayServer;\n")).toEqual([]);
  });
});
