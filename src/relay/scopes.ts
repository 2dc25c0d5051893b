/**
 * What a token lets its holder do, and the decisions that follow from it. A token carries one
 * OAuth `scope` string (space-separated, RFC 6749 §3.3) with these tokens:
 *
 * - `tunnel:connect` — a connector may serve the tunnel named in the `tunnel` claim;
 * - `tunnel:use` — an agent may call the tunnel;
 * - `tool:NAME` — restricts `tunnel:use` to the named tools (none listed = every tool);
 * - `tunnel:read-only` — restricts `tunnel:use` to tools the server marks `readOnlyHint: true`.
 *
 * Least privilege by default: an unknown scope token grants nothing, and a read-only grant refuses
 * a tool whose annotations the relay has not seen.
 */
export const SCOPE_CONNECT = 'tunnel:connect';
export const SCOPE_USE = 'tunnel:use';
export const SCOPE_READ_ONLY = 'tunnel:read-only';
export const TOOL_PREFIX = 'tool:';

export type Role = 'connect' | 'use';

/** A verified token reduced to what the relay decides on. */
export interface Grant {
  subject: string;
  tunnel: string;
  roles: ReadonlySet<Role>;
  /** Allowed tools; `undefined` means every tool. */
  tools: ReadonlySet<string> | undefined;
  readOnly: boolean;
  /** Expiry in ms since the epoch. */
  expiresAt: number;
  /**
   * A connect token minted from a connector credential names that credential's expiry (claim
   * `cred`, seconds): the relay recomputes the credential's secret from it to key request signing.
   * @default undefined
   */
  credentialExpiresAtSec?: number;
}

/** Parses a `scope` claim into roles, tool allow-list and read-only flag. */
export function parseScope(scope: string): Pick<Grant, 'roles' | 'tools' | 'readOnly'> {
  const roles = new Set<Role>();
  let tools: Set<string> | undefined;
  let readOnly = false;
  for (const s of scope.split(' ')) {
    if (s === SCOPE_CONNECT) roles.add('connect');
    else if (s === SCOPE_USE) roles.add('use');
    else if (s === SCOPE_READ_ONLY) readOnly = true;
    else if (s.startsWith(TOOL_PREFIX) && s.length > TOOL_PREFIX.length) (tools ??= new Set()).add(s.slice(TOOL_PREFIX.length));
  }
  return { roles, tools, readOnly };
}

/** The `scope` string for a grant (the inverse of `parseScope`). */
export function formatScope(g: { roles: Iterable<Role>; tools?: Iterable<string>; readOnly?: boolean }): string {
  const parts: string[] = [];
  for (const r of g.roles) parts.push(r === 'connect' ? SCOPE_CONNECT : SCOPE_USE);
  if (g.readOnly) parts.push(SCOPE_READ_ONLY);
  for (const t of g.tools ?? []) parts.push(TOOL_PREFIX + t);
  return parts.join(' ');
}

/**
 * The rights of a grant as one canonical string: roles, read-only flag and tool allow-list, sorted.
 * A session is bound to the rights of the token that opened it; a later request must carry a token
 * with the same rights. Memoised per grant object: the auth cache hands out the same grant for
 * every request that carries the same token.
 */
export function scopeKey(g: Pick<Grant, 'roles' | 'tools' | 'readOnly'>): string {
  let k = memo.get(g);
  if (k === undefined) {
    const tools = g.tools ? [...g.tools].sort().join(' ') : '*';
    k = `${[...g.roles].sort().join(' ')}|${g.readOnly ? 'ro' : 'rw'}|${tools}`;
    memo.set(g, k);
  }
  return k;
}
const memo = new WeakMap<object, string>();

/** Tool annotations the relay has seen in `tools/list` results, per tunnel. */
export type ToolCatalog = ReadonlyMap<string, { readOnly: boolean }>;

export type ToolDecision = { kind: 'allow' } | { kind: 'deny'; reason: 'tool_not_allowed' | 'read_only' };

/** May this grant call `tool`? */
export function decideTool(grant: Grant, tool: string, catalog: ToolCatalog): ToolDecision {
  if (grant.tools && !grant.tools.has(tool)) return { kind: 'deny', reason: 'tool_not_allowed' };
  if (grant.readOnly && catalog.get(tool)?.readOnly !== true) return { kind: 'deny', reason: 'read_only' };
  return { kind: 'allow' };
}

interface ListedTool {
  name: string;
  annotations?: { readOnlyHint?: boolean };
}

/** Records every listed tool's read-only hint so later calls can be judged. */
export function learnTools(catalog: Map<string, { readOnly: boolean }>, tools: readonly ListedTool[]): void {
  for (const t of tools) catalog.set(t.name, { readOnly: t.annotations?.readOnlyHint === true });
}

/** The subset of a `tools/list` result that the grant may call. */
export function filterTools<T extends ListedTool>(grant: Grant, tools: readonly T[]): T[] {
  return tools.filter((t) => {
    if (grant.tools && !grant.tools.has(t.name)) return false;
    if (grant.readOnly && t.annotations?.readOnlyHint !== true) return false;
    return true;
  });
}

/**
 * Narrowing for token exchange (RFC 8693): the requested scope may only drop privileges. Returns the
 * narrowed scope, or `undefined` when the request asks for something the subject token lacks.
 */
export function narrowScope(
  have: Pick<Grant, 'roles' | 'tools' | 'readOnly'>,
  want: Pick<Grant, 'roles' | 'tools' | 'readOnly'>,
): Pick<Grant, 'roles' | 'tools' | 'readOnly'> | undefined {
  for (const r of want.roles) if (!have.roles.has(r)) return undefined;
  if (have.tools && want.tools) for (const t of want.tools) if (!have.tools.has(t)) return undefined;
  return {
    roles: want.roles.size > 0 ? want.roles : have.roles,
    tools: want.tools ?? have.tools,
    readOnly: have.readOnly || want.readOnly,
  };
}
