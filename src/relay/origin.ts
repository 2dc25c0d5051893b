/**
 * `Origin` validation (MCP Streamable HTTP, "Security Warning": servers must validate `Origin` to
 * stop DNS rebinding). A browser always sends `Origin`; other clients (the SDKs, curl, connectors)
 * do not. So a request without one passes, and a request with one passes only when that origin is
 * allowed: the relay's own public origin, or one the config lists. `null` (sandboxed frames,
 * `file:` pages) is never allowed.
 */

/** The set of allowed origins from a public URL and a config list, normalised (`new URL(x).origin`). */
export function allowedOrigins(publicUrl: string | undefined, listed: readonly string[] = []): ReadonlySet<string> {
  const out = new Set<string>();
  for (const u of publicUrl === undefined ? listed : [publicUrl, ...listed]) {
    const o = new URL(u).origin;
    if (o !== 'null') out.add(o);
  }
  return out;
}

export function originAllowed(origin: string | undefined, allowed: ReadonlySet<string>): boolean {
  if (origin === undefined) return true;
  let o: string;
  try {
    o = new URL(origin).origin;
  } catch {
    return false;
  }
  return o !== 'null' && allowed.has(o);
}
