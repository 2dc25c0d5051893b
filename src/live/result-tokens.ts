/**
 * Result tokens of real payloads: the text parts of a `tools/call` result counted by the real
 * tokenizer, with the counts of texts seen before kept (mock results repeat), up to a bound.
 */
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { TokenCounter } from '../tokens/tokenizer.js';

/** Token counts of payload texts seen before, at most this many (then the cache starts again). */
const COUNT_CACHE = 10_000;

export class ResultTokens {
  private readonly counts = new Map<string, number>();
  /** Tokens counted in every result so far (a report figure). */
  total = 0;

  constructor(private readonly counter: TokenCounter) {}

  count(r: CallToolResult): number {
    let n = 0;
    for (const c of r.content) {
      if (c.type !== 'text') continue;
      let k = this.counts.get(c.text);
      if (k === undefined) {
        k = this.counter.count(c.text);
        if (this.counts.size >= COUNT_CACHE) this.counts.clear();
        this.counts.set(c.text, k);
      }
      n += k;
    }
    this.total += n;
    return n;
  }
}
