/**
 * Counting the tokens of real payloads (live mode): gpt-tokenizer's bundled BPE encodings, offline.
 * Sim mode draws result sizes from distributions instead; a live report names the encoding that
 * counted, because counts differ between encodings (and from any non-OpenAI model's tokenizer,
 * for which these counts are an approximation).
 *
 * Importing this file loads the encodings' rank tables (a few MB), which is why the simulator
 * never imports it.
 */
import cl100k from 'gpt-tokenizer/encoding/cl100k_base';
import o200k from 'gpt-tokenizer/encoding/o200k_base';

/** Encodings available offline. */
import { ENCODINGS, type EncodingName } from './encodings.js';

export { ENCODINGS, type EncodingName };

/** @default 'o200k_base' — the encoding of the GPT-4o, GPT-4.1 and GPT-5 families. */
export const DEFAULT_ENCODING: EncodingName = 'o200k_base';

type Encoder = { encode(text: string, options?: { disallowedSpecial?: Set<string> }): number[] };
const APIS: Record<EncodingName, Encoder> = { o200k_base: o200k, cl100k_base: cl100k };
/** Payload text that spells a special token is data, not a control token: encode it as text. */
const AS_TEXT = { disallowedSpecial: new Set<string>() };

function api(encoding: EncodingName): Encoder {
  const a = APIS[encoding];
  if (!a) throw new RangeError(`unknown encoding '${encoding}' (known: ${ENCODINGS.join(', ')})`);
  return a;
}

/** Tokens of `text` in `encoding`. Special-token text (`<|endoftext|>`) counts as plain text, as in a payload. */
export function countTokens(text: string, encoding: EncodingName = DEFAULT_ENCODING): number {
  return api(encoding).encode(text, AS_TEXT).length;
}

/** Tokens of a JSON-RPC message as it travels: its JSON text. */
export function countPayloadTokens(message: unknown, encoding: EncodingName = DEFAULT_ENCODING): number {
  return countTokens(typeof message === 'string' ? message : JSON.stringify(message), encoding);
}

/** A counter bound to one encoding, for a report to name it beside the counts. */
export interface TokenCounter {
  readonly encoding: EncodingName;
  count(text: string): number;
  countPayload(message: unknown): number;
}

export function tokenCounter(encoding: EncodingName = DEFAULT_ENCODING): TokenCounter {
  api(encoding);
  return { encoding, count: (text) => countTokens(text, encoding), countPayload: (m) => countPayloadTokens(m, encoding) };
}
