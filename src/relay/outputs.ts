/** What the relay core hands its driver: outputs to carry out, and the verdicts of `admit` and `bind`. */
import type { AuditRecord } from './audit.js';
import type { Message, RequestId } from './jsonrpc.js';

export type Output =
  | { kind: 'open'; tunnel: string; sid: string }
  | { kind: 'close'; tunnel: string; sid: string }
  /** `id` is the JSON-RPC id the body carries (request or response), `null` for a notification: the MAC covers it. */
  | { kind: 'forward'; tunnel: string; sid: string; id: RequestId | null; body: string }
  /** `raw`, when set, is `message` exactly as the connector sent it: the agent gets those bytes. */
  | { kind: 'deliver'; sid: string; message: Message; relatedRequestId?: RequestId; raw?: string }
  | { kind: 'endSession'; sid: string }
  | { kind: 'audit'; record: AuditRecord }
  /** The tunnel's connector sent a frame it had no right to send: it counts toward `maxBadFrames`. */
  | { kind: 'strike'; tunnel: string };

export type Admit =
  | { kind: 'ok' }
  | { kind: 'deny'; reason: 'tool_not_allowed' | 'read_only'; audit: AuditRecord }
  | { kind: 'overloaded'; audit: AuditRecord }
  | { kind: 'duplicate'; audit: AuditRecord };

/** Whether a token may use a session: its own, another's (looks unknown), or its own with other rights. */
export type Binding = 'ok' | 'unknown_session' | 'session_mismatch';
