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
  /** The relay shed a queued request that waited past its limit (relay/shedding.ts). */
  shed: -32015,
} as const;

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
