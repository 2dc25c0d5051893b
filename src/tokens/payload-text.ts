/**
 * Text of an exact token count, for mock and live upstreams whose results must weigh what the
 * scenario says: common English words that are one token each (with their leading space) in the
 * o200k and cl100k encodings, so n words count n tokens in either (checked by a test). A padding of
 * repeated letters would not do: BPE merges runs, and 4n `x`s count about n/2 tokens.
 */
const WORDS = ' the of and to in is for on that with as at by from this be are was it or an not data value item price trade risk'.split(' ').slice(1);
const PHRASE = WORDS.map((w) => ` ${w}`);

/** Text of `tokens` tokens (a whole number ≥ 0). */
export function payloadText(tokens: number): string {
  const parts: string[] = new Array(Math.max(0, Math.round(tokens)));
  for (let i = 0; i < parts.length; i++) parts[i] = PHRASE[(i * 7) % PHRASE.length];
  return parts.join('');
}
