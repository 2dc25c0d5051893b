/**
 * The token ledger of one workflow (DESIGN.md "The agent, its tokens and its bill").
 *
 * context(i) = system + tool schemas + task + Σ_{j<i} (output_j + results_j) + error texts added
 * by agent-layer retries. The context only grows by appending, so the previous request's input is
 * always a prefix of the next one. Prompt caching: that prefix is read from cache when it was last
 * touched less than `cacheTtl` ago (a hit refreshes the TTL); the rest is new.
 * - explicit caching (Anthropic-style): new tokens are written to cache, billed × cacheWriteMultiplier
 * - automatic caching (OpenAI-style): new tokens are plain input, no write charge
 * - none: every input token is plain input
 * Cost of a turn = (input·in + cacheRead·in·r + cacheWrite·in·w + output·out) / 1e6 dollars.
 */
import type { TokenCounts } from '../metrics/recorder.js';
import type { LlmSpec } from '../scenario/types.js';

export interface Turn extends TokenCounts {
  /** Time the LLM takes for this turn (ms). */
  ms: number;
  /** Dollars. */
  cost: number;
  /** Context size the turn read. */
  context: number;
}

export function turnCost(p: LlmSpec['pricing'], t: TokenCounts): number {
  return (t.input * p.inputPerMTok + t.cacheRead * p.inputPerMTok * p.cacheReadMultiplier + t.cacheWrite * p.inputPerMTok * p.cacheWriteMultiplier + t.output * p.outputPerMTok) / 1e6;
}

export class TokenLedger {
  /** Tokens in the context now. */
  context: number;
  private cachedPrefix = 0;
  private lastTouch = -Infinity;
  cost = 0;
  tokens = 0;

  constructor(private readonly llm: LlmSpec) {
    this.context = llm.systemTokens + llm.toolSchemaTokens + llm.taskTokens;
  }

  /** The last turn's figures; overwritten by the next turn (no allocation per turn). */
  readonly last: Turn = { input: 0, output: 0, cacheRead: 0, cacheWrite: 0, ms: 0, cost: 0, context: 0 };

  /** One LLM turn at time `now` that reads the whole context and writes `output` tokens. */
  turn(now: number, output: number): Turn {
    const p = this.llm.pricing;
    const input = this.context;
    let cacheRead = 0;
    if (p.caching !== 'none' && now - this.lastTouch < p.cacheTtl) cacheRead = Math.min(this.cachedPrefix, input);
    const fresh = input - cacheRead;
    const t = this.last;
    t.cacheRead = cacheRead;
    t.output = output;
    if (p.caching === 'explicit') {
      t.input = 0;
      t.cacheWrite = fresh;
    } else {
      t.input = fresh;
      t.cacheWrite = 0;
    }
    if (p.caching !== 'none') {
      this.cachedPrefix = input;
      this.lastTouch = now;
    }
    t.cost = turnCost(p, t);
    this.cost += t.cost;
    this.tokens += input + output;
    t.ms = this.llm.ttft + output / this.llm.outputTokensPerSec + fresh / this.llm.prefillTokensPerSec;
    t.context = input;
    return t;
  }

  /** Appends tokens to the context (the turn's output, tool results, error texts). */
  append(tokens: number): void {
    this.context += tokens;
  }
}
