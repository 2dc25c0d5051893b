/**
 * The wire protocol between relay and connector: JSON objects, one or more per WebSocket message
 * separated by `\n` (the live side batches frames written in one event-loop turn). Agent
 * sessions are multiplexed by `sid`; JSON-RPC messages travel as strings in `body`, so the bytes the
 * relay signs are the bytes the connector checks.
 *
 * relay → connector: `welcome` (signing key), `open`/`close` a session, signed `msg`.
 * connector → relay: `msg` from the upstream, `closed` (upstream ended), `reject` (a frame failed its
 * signature checks), `auth` (a fresh token before the current one expires), `catalog` (the
 * upstream's tools and their read-only hints, listed once per connection).
 */
import type { Signed } from './signing.js';

export type RelayFrame =
  | { t: 'welcome'; tunnel: string; key: string; maxFrameBytes: number }
  | { t: 'open'; sid: string }
  | { t: 'close'; sid: string }
  | ({ t: 'msg'; sid: string; body: string } & Signed)
  | { t: 'reauthed'; expiresAt: number };

export type ConnectorFrame =
  | { t: 'msg'; sid: string; body: string }
  | { t: 'closed'; sid: string }
  | { t: 'reject'; sid: string; id: string | number | null; reason: 'bad_signature' | 'stale_timestamp' | 'replayed_nonce' }
  | { t: 'auth'; token: string }
  | { t: 'catalog'; tools: { name: string; readOnly: boolean }[] };

export type Parsed<F> = { kind: 'ok'; frame: F } | { kind: 'bad'; reason: 'oversized' | 'malformed_json' };

function isStr(v: unknown): v is string {
  return typeof v === 'string';
}

/** Size check and JSON decoding shared by both directions: an object, or why not. */
function decodeObject(data: string, maxBytes: number): { kind: 'ok'; f: any } | { kind: 'bad'; reason: 'oversized' | 'malformed_json' } {
  if (Buffer.byteLength(data) > maxBytes) return { kind: 'bad', reason: 'oversized' };
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
      return isStr(f.sid) && isStr(f.body) ? ok : { kind: 'bad', reason: 'malformed_json' };
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
      return isStr(f.tunnel) && isStr(f.key) ? ok : { kind: 'bad', reason: 'malformed_json' };
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
