/**
 * The wire protocol between relay and connector: JSON objects, one or more per WebSocket message
 * separated by `\n` (the live side batches frames written in one event-loop turn). Agent
 * sessions are multiplexed by `sid`; JSON-RPC messages travel as strings in `body`, so the bytes the
 * relay signs are the bytes the connector checks.
 *
 * relay → connector: `welcome` (the relay's key share and salt for the signing-key derivation, and
 * whether the connector's credential is mixed in — never a key), `open`/`close` a session, signed
 * `msg`, `reauthed`.
 * connector → relay: `msg` from the upstream (`rel`: the agent request it was sent in the course
 * of, when known), `closed` (upstream ended), `reject` (a frame failed its signature checks),
 * `too_large` (the upstream's answer to a request does not fit a frame), `auth` (a fresh token
 * before the current one expires), `catalog` (the upstream's tools and their read-only hints,
 * listed once per connection).
 */
import type { RequestId } from './jsonrpc.js';
import type { Signed } from './signing.js';

export type RelayFrame =
  | { t: 'welcome'; tunnel: string; share: string; salt: string; credential: boolean; maxFrameBytes: number }
  | { t: 'open'; sid: string }
  | { t: 'close'; sid: string }
  | ({ t: 'msg'; sid: string; body: string } & Signed)
  | { t: 'reauthed'; expiresAt: number };

export type ConnectorFrame =
  | { t: 'msg'; sid: string; body: string; rel?: RequestId }
  | { t: 'closed'; sid: string }
  | { t: 'too_large'; sid: string; id: RequestId; bytes: number }
  | { t: 'reject'; sid: string; id: string | number | null; reason: 'bad_signature' | 'stale_timestamp' | 'replayed_nonce' }
  | { t: 'auth'; token: string }
  | { t: 'catalog'; tools: { name: string; readOnly: boolean }[] };

export type Parsed<F> = { kind: 'ok'; frame: F } | { kind: 'bad'; reason: 'oversized' | 'malformed_json' };

function isStr(v: unknown): v is string {
  return typeof v === 'string';
}

function isId(v: unknown): v is RequestId {
  return typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v));
}

/**
 * Does this frame text fit the relay's limit? UTF-16 length bounds the UTF-8 size from both sides
 * (length ≤ bytes ≤ 3 × length), so only frames near the limit are measured.
 */
export function frameFits(text: string, maxBytes: number): boolean {
  if (text.length * 3 <= maxBytes) return true;
  if (text.length > maxBytes) return false;
  return Buffer.byteLength(text) <= maxBytes;
}

/** Size check and JSON decoding shared by both directions: an object, or why not. */
function decodeObject(data: string, maxBytes: number): { kind: 'ok'; f: any } | { kind: 'bad'; reason: 'oversized' | 'malformed_json' } {
  if (!frameFits(data, maxBytes)) return { kind: 'bad', reason: 'oversized' };
  let f: any;
  try {
    f = JSON.parse(data);
  } catch {
    return { kind: 'bad', reason: 'malformed_json' };
  }
  return f === null || typeof f !== 'object' ? { kind: 'bad', reason: 'malformed_json' } : { kind: 'ok', f };
}

/** Decodes and shape-checks one frame from a connector; never throws. */
export function parseConnectorFrame(data: string, maxBytes: number): Parsed<ConnectorFrame> {
  const d = decodeObject(data, maxBytes);
  if (d.kind === 'bad') return d;
  const f = d.f;
  const ok = { kind: 'ok' as const, frame: f as ConnectorFrame };
  switch (f.t) {
    case 'msg':
      return isStr(f.sid) && isStr(f.body) && (f.rel === undefined || isId(f.rel)) ? ok : { kind: 'bad', reason: 'malformed_json' };
    case 'too_large':
      return isStr(f.sid) && isId(f.id) && Number.isSafeInteger(f.bytes) ? ok : { kind: 'bad', reason: 'malformed_json' };
    case 'closed':
      return isStr(f.sid) ? ok : { kind: 'bad', reason: 'malformed_json' };
    case 'reject':
      return isStr(f.sid) && isStr(f.reason) ? ok : { kind: 'bad', reason: 'malformed_json' };
    case 'auth':
      return isStr(f.token) ? ok : { kind: 'bad', reason: 'malformed_json' };
    case 'catalog':
      return Array.isArray(f.tools) && f.tools.every((t: any) => t && isStr(t.name) && typeof t.readOnly === 'boolean')
        ? ok
        : { kind: 'bad', reason: 'malformed_json' };
    default:
      return { kind: 'bad', reason: 'malformed_json' };
  }
}

/** Decodes and shape-checks one frame from the relay; never throws. */
export function parseRelayFrame(data: string, maxBytes: number): Parsed<RelayFrame> {
  const d = decodeObject(data, maxBytes);
  if (d.kind === 'bad') return d;
  const f = d.f;
  const ok = { kind: 'ok' as const, frame: f as RelayFrame };
  switch (f.t) {
    case 'welcome':
      return isStr(f.tunnel) && isStr(f.share) && isStr(f.salt) && typeof f.credential === 'boolean' && Number.isSafeInteger(f.maxFrameBytes)
        ? ok
        : { kind: 'bad', reason: 'malformed_json' };
    case 'open':
    case 'close':
      return isStr(f.sid) ? ok : { kind: 'bad', reason: 'malformed_json' };
    case 'msg':
      return isStr(f.sid) && isStr(f.body) && isStr(f.nonce) && isStr(f.sig) && typeof f.ts === 'number'
        ? ok
        : { kind: 'bad', reason: 'malformed_json' };
    case 'reauthed':
      return ok;
    default:
      return { kind: 'bad', reason: 'malformed_json' };
  }
}
