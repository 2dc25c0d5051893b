/**
 * What a tunnel id may be: a plain name of 1–128 characters from `[A-Za-z0-9._-]` that starts
 * with a letter or digit. So an id is safe in URLs, headers and audit lines without escaping, and
 * no id is a path segment that URL normalisation rewrites (`.` and `..` would name a tunnel no
 * agent could reach).
 */
const TUNNEL_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

export function isTunnelId(id: string): boolean {
  return TUNNEL_ID.test(id);
}

/** The rule in words, for error messages. */
export const TUNNEL_ID_RULE = '1–128 characters from A–Z a–z 0–9 . _ -, starting with a letter or digit';
