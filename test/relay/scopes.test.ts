import { describe, expect, it } from 'vitest';
import { formatScope, narrowScope, parseScope } from '../../src/relay/scopes.js';

describe('scopes', () => {
  it('round-trips a scope string', () => {
    const s = 'tunnel:use tunnel:read-only tool:a tool:b';
    expect(formatScope(parseScope(s))).toBe(s);
  });

  it('grants nothing for unknown scope tokens', () => {
    expect(parseScope('admin tunnel:everything').roles.size).toBe(0);
  });

  it('narrows only downwards', () => {
    const have = parseScope('tunnel:use tool:a tool:b');
    expect(formatScope(narrowScope(have, parseScope('tool:a'))!)).toBe('tunnel:use tool:a');
    expect(narrowScope(have, parseScope('tool:c'))).toBeUndefined();
    expect(narrowScope(have, parseScope('tunnel:connect'))).toBeUndefined();
    expect(narrowScope(parseScope('tunnel:use tunnel:read-only'), parseScope('tunnel:use'))!.readOnly).toBe(true);
  });
});
