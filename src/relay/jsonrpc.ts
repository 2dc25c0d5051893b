/** The few facts the relay reads from JSON-RPC messages, and the errors it answers with itself. */
export type RequestId = string | number;
export type Message = { [k: string]: unknown };

/** JSON-RPC error codes the relay itself answers with (implementation-defined range). */
export const RELAY_ERROR = {
  connectorLost: -32010,
  frameRejected: -32011,
  sessionClosed: -32012,
  forbidden: -32013,
  overloaded: -32014,
  resultTooLarge: -32015,
  deadline: -32016,
  /** The relay shed a queued request that waited past its limit (relay/shedding.ts). */
  shed: -32017,
} as const;

/** Longest string id the relay accepts, in UTF-16 code units. */
export const MAX_STRING_ID = 256;

/**
 * Is this a request id the relay can carry without changing it? A string of at most
 * `MAX_STRING_ID` characters, or an integer that survives a JSON round trip (a safe integer, not
 * -0). `1.5`, `1e400` (Infinity, re-serialised as `null`) and 2^53 + 1 (parsed as 2^53) are not:
 * their answer could never be matched to them, so they would hold a slot for ever.
 */
export function isCarriableId(id: unknown): id is RequestId {
  if (typeof id === 'string') return id.length <= MAX_STRING_ID;
  return typeof id === 'number' && Number.isSafeInteger(id) && !Object.is(id, -0);
}

export function isRequest(msg: Message): boolean {
  return typeof msg.method === 'string' && (typeof msg.id === 'string' || typeof msg.id === 'number');
}

export function toolName(msg: Message): string {
  const name = (msg.params as { name?: unknown } | undefined)?.name;
  return typeof name === 'string' ? name : '';
}

export function progressToken(msg: Message): string | number | undefined {
  const t = (msg.params as { _meta?: { progressToken?: unknown } } | undefined)?._meta?.progressToken;
  return typeof t === 'string' || typeof t === 'number' ? t : undefined;
}

export function isToolList(r: unknown): r is { tools: { name: string; annotations?: { readOnlyHint?: boolean } }[] } {
  return typeof r === 'object' && r !== null && Array.isArray((r as { tools?: unknown }).tools);
}

export function rpcError(id: RequestId | null, code: number, message: string): Message {
  return { jsonrpc: '2.0', id, error: { code, message } };
}
