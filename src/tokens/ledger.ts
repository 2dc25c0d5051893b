/**
 * The token ledger of one workflow (DESIGN.md "The agent, its tokens and its bill").
 *
 * How it works. context(i) = system + tool schemas + task + Σ_{j<i} (output_j + results_j) + error
 * texts added by agent-layer retries. The context grows by appending, so the previous request's
 * input is a prefix of the next one, until a context strategy rewrites history: dropping the
 * oldest tool results or replacing the history by a summary changes the prompt from that point
 * on, so only the part before it can still be read from cache.
 *
 * Prompt caching: the cached prefix is read from cache when it was last written or read less than
 * `cacheTtl` ago (a hit refreshes the TTL, as the providers do); a prefix older than that has
 * expired and the whole input is new again.
 * - explicit caching (Anthropic-style): new tokens are written to cache, billed × cacheWriteMultiplier
 * - automatic caching (OpenAI-style): new tokens are plain input, no write charge
 * - none: every input token is plain input
 * Cost of a turn = (input·in + cacheRead·in·r + cacheWrite·in·w + output·out) / 1e6 dollars, at the
 * rates of the turn's long-context tier (tokens/pricing.ts).
 */
import type { TokenCounts } from '../metrics/recorder.js';
import { toNanos, turnCost, type Pricing } from './pricing.js';

/**
 * What the ledger reads of the scenario's `llm` block. `LlmSpec` (scenario/types.ts) satisfies it;
 * it is declared here so the scenario's types, the ground floor, never import back from tokens/.
 */
export interface LedgerLlm {
  systemTokens: number;
  toolSchemaTokens: number;
  taskTokens: number;
  ttft: number;
  outputTokensPerSec: number;
  prefillTokensPerSec: number;
  pricing: Pricing;
  contextStrategy: { kind: string };
}

export { turnCost } from './pricing.js';

export interface Turn extends TokenCounts {
  /** Time the LLM takes for this turn (ms). */
  ms: number;
  /** Dollars. */
  cost: number;
  /** The same cost in integer nano-dollars: what counters add up. */
  nanos: number;
  /** Context size the turn read. */
  context: number;
  /** A cached prefix existed but its TTL had run out: the turn missed because of time. */
  expired: boolean;
}

export class TokenLedger {
  /** Tokens in the context now. */
  context: number;
  /** The part no strategy ever rewrites: system + tool schemas + task. */
  readonly base: number;
  private cachedPrefix = 0;
  private lastTouch = -Infinity;
  /** Dollars billed so far, and the same in nano-dollars (integer). */
  cost = 0;
  nanos = 0;
  /** Nano-dollars and tokens of agent-layer retry turns. */
  retryNanos = 0;
  retryTokens = 0;
  /** Every token the workflow's turns read or wrote (cache reads included). */
  tokens = 0;
  /** What the context strategy did: drop events, results dropped, tokens freed, summaries. */
  drops = 0;
  droppedResults = 0;
  droppedTokens = 0;
  summaries = 0;
  /**
   * The history after `base`, one entry per appended block: its size, negative when a strategy
   * may drop it (tool results and error texts). Kept only when the strategy drops, so the default
   * path allocates nothing per step.
   */
  private readonly blocks: number[] | undefined;

  constructor(
    private readonly llm: LedgerLlm,
    trackBlocks = llm.contextStrategy.kind === 'drop-oldest',
  ) {
    this.base = llm.systemTokens + llm.toolSchemaTokens + llm.taskTokens;
    this.context = this.base;
    this.blocks = trackBlocks ? [] : undefined;
  }

  /** Back to the state of a fresh ledger on the same `llm` (a world reuses finished workflows' ledgers); returns itself. */
  reset(): this {
    this.context = this.base;
    this.cachedPrefix = 0;
    this.lastTouch = -Infinity;
    this.cost = 0;
    this.nanos = 0;
    this.retryNanos = 0;
    this.retryTokens = 0;
    this.tokens = 0;
    this.drops = 0;
    this.droppedResults = 0;
    this.droppedTokens = 0;
    this.summaries = 0;
    if (this.blocks && this.blocks.length > 0) this.blocks.length = 0;
    return this;
  }

  /** The last turn's figures; overwritten by the next turn (no allocation per turn). */
  readonly last: Turn = { input: 0, output: 0, cacheRead: 0, cacheWrite: 0, ms: 0, cost: 0, nanos: 0, context: 0, expired: false };

  /** One LLM turn at time `now` that reads the whole context and writes `output` tokens. */
  turn(now: number, output: number, retry = false): Turn {
    const p = this.llm.pricing;
    const input = this.context;
    let cacheRead = 0;
    let expired = false;
    if (p.caching !== 'none') {
      if (now - this.lastTouch < p.cacheTtl) cacheRead = Math.min(this.cachedPrefix, input);
      else expired = this.cachedPrefix > 0;
    }
    const fresh = input - cacheRead;
    const t = this.last;
    t.cacheRead = cacheRead;
    t.output = output;
    t.expired = expired;
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
    t.cost = turnCost(p, t, input);
    t.nanos = toNanos(t.cost);
    this.cost += t.cost;
    this.nanos += t.nanos;
    this.tokens += input + output;
    if (retry) {
      this.retryNanos += t.nanos;
      this.retryTokens += input + output;
    }
    // Rates are per second; the kernel counts milliseconds.
    t.ms = this.llm.ttft + (1000 * output) / this.llm.outputTokensPerSec + (1000 * fresh) / this.llm.prefillTokensPerSec;
    t.context = input;
    return t;
  }

  /** Appends tokens the agent keeps (its own output). */
  append(tokens: number): void {
    this.context += tokens;
    this.blocks?.push(tokens);
  }

  /** Appends a tool result or an error text: a block a drop-oldest strategy may remove. */
  appendResult(tokens: number): void {
    this.context += tokens;
    if (this.blocks && tokens > 0) this.blocks.push(-tokens);
  }

  /**
   * Drops the oldest tool results, never the newest `keep`, until the context is at most `to`;
   * each dropped result leaves `placeholder` tokens in its place. The prompt changes from the
   * first dropped block on, so the cache keeps only the prefix before it.
   * Returns the tokens it freed; `drops`, `droppedResults` and `droppedTokens` add up.
   */
  dropOldest(to: number, keep: number, placeholder: number): number {
    const b = this.blocks;
    if (!b) return 0;
    const before = this.context;
    // Blocks from `limit` on hold the newest `keep` results: never dropped.
    let limit = b.length;
    for (let kept = 0; limit > 0 && kept < keep; ) if (b[--limit] < 0) kept++;
    let offset = this.base;
    let firstChange = -1;
    for (let i = 0; i < limit && this.context > to; i++) {
      const size = b[i];
      if (size < 0 && -size > placeholder) {
        if (firstChange < 0) firstChange = offset;
        b[i] = placeholder;
        this.context -= -size - placeholder;
        this.droppedResults++;
      }
      offset += Math.abs(b[i]);
    }
    if (firstChange < 0) return 0;
    this.cachedPrefix = Math.min(this.cachedPrefix, firstChange);
    this.drops++;
    this.droppedTokens += before - this.context;
    return before - this.context;
  }

  /** Replaces the history after `base` by a summary of `summaryTokens`; the cache keeps `base`. */
  summarize(summaryTokens: number): void {
    this.summaries++;
    this.context = this.base + summaryTokens;
    this.cachedPrefix = Math.min(this.cachedPrefix, this.base);
    if (this.blocks) {
      this.blocks.length = 0;
      this.blocks.push(summaryTokens);
    }
  }
}
