/**
 * No import circles in src/ (type-only imports included: a circle of types is still a knot a reader
 * has to untie). Reads every `import … from './x.js'` / `export … from` statically and searches the
 * graph depth-first; a circle fails with its path.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = resolve('src');

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

function graph(): Map<string, string[]> {
  const g = new Map<string, string[]>();
  const spec = /(?:^|\n)\s*(?:import|export)\s[^;]*?from\s+'(\.{1,2}\/[^']+)'/g;
  for (const f of files(SRC)) {
    const deps: string[] = [];
    for (const m of readFileSync(f, 'utf8').matchAll(spec)) deps.push(resolve(dirname(f), m[1].replace(/\.js$/, '.ts')));
    g.set(f, deps);
  }
  return g;
}

/** The first circle found, as a list of files relative to src/, or null. */
function findCycle(g: Map<string, string[]>): string[] | null {
  const state = new Map<string, 1 | 2>();
  const stack: string[] = [];
  const visit = (n: string): string[] | null => {
    state.set(n, 1);
    stack.push(n);
    for (const d of g.get(n) ?? []) {
      if (state.get(d) === 1) return [...stack.slice(stack.indexOf(d)), d].map((p) => relative(SRC, p));
      if (!state.has(d) && g.has(d)) {
        const c = visit(d);
        if (c) return c;
      }
    }
    stack.pop();
    state.set(n, 2);
    return null;
  };
  for (const n of g.keys()) {
    if (state.has(n)) continue;
    const c = visit(n);
    if (c) return c;
  }
  return null;
}

describe('import graph of src/', () => {
  it('reads the imports (the graph is not empty and has edges)', () => {
    const g = graph();
    expect(g.size).toBeGreaterThan(100);
    expect([...g.values()].reduce((n, d) => n + d.length, 0)).toBeGreaterThan(g.size);
  });

  it('finds a circle when there is one', () => {
    const g = new Map([
      [join(SRC, 'a.ts'), [join(SRC, 'b.ts')]],
      [join(SRC, 'b.ts'), [join(SRC, 'a.ts')]],
    ]);
    expect(findCycle(g)).toEqual(['a.ts', 'b.ts', 'a.ts']);
  });

  it('has no circles', () => {
    expect(findCycle(graph())).toBeNull();
  });
});
