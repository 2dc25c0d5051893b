/**
 * Tool arguments of live calls from a scenario's template (`server.tools.<name>.args`): every
 * string is expanded, `{{workflow}}`, `{{step}}`, `{{call}}` (position in the step's parallel
 * group) and `{{attempt}}` replaced by the attempt's numbers; other values pass through as written.
 */
export interface ArgContext {
  workflow: number;
  /** The call key: step · 64 + position (see agent/runner.ts). */
  key: number;
  attempt: number;
}

export function expandArgs(template: Record<string, unknown> | undefined, c: ArgContext): Record<string, unknown> {
  if (!template) return {};
  const vars: Record<string, number> = { workflow: c.workflow, step: Math.floor(c.key / 64), call: c.key % 64, attempt: c.attempt };
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return v.replace(/\{\{(\w+)\}\}/g, (m, name: string) => (name in vars ? String(vars[name]) : m));
    if (Array.isArray(v)) return v.map(walk);
    if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    return v;
  };
  return walk(template) as Record<string, unknown>;
}
