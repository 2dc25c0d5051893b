/**
 * What an agent does when its context outgrows the model (the `llm.contextStrategy` of a
 * scenario). Checked before every LLM turn, retry turns included:
 * - `fail`: a context above `contextWindow` fails the workflow with `contextOverflow`.
 * - `drop-oldest`: once the context passes `at`, the oldest tool results (error texts included)
 *   are replaced by a `placeholderTokens` stub, never the newest `keep`, until the context is at
 *   most `to` — what Anthropic's context editing ("clear tool uses": trigger, keep, placeholder)
 *   and agent SDKs' truncation do. The prompt changes where the first result was dropped, so
 *   the cache only serves the part before it.
 * - `summarize`: once the context passes `at`, the agent spends one extra LLM turn that reads the
 *   whole context and writes `summaryTokens`; the history is replaced by that summary (the
 *   compaction of coding agents). The turn costs tokens and time like any other; afterwards only
 *   system + tools + task are still cached.
 * Whatever the strategy, a context still above `contextWindow` fails the workflow.
 */
import type { TokenLedger } from './ledger.js';

export type ContextStrategy =
  | { kind: 'fail' }
  | { kind: 'drop-oldest'; at: number; to: number; keep: number; placeholderTokens: number }
  | { kind: 'summarize'; at: number; summaryTokens: number };

export const DEFAULT_CONTEXT_STRATEGY: ContextStrategy = { kind: 'fail' };

/** Fraction of `contextWindow` at which drop-oldest and summarize act when `at` is not given. */
export const DEFAULT_TRIGGER_SHARE = 0.8;

/** Newest tool results drop-oldest keeps (Anthropic context editing's default `keep`). */
export const DEFAULT_KEEP = 3;

/** What the agent must do before its next turn. */
export type ContextAction = 'ok' | 'overflow' | 'summarize';

/**
 * Applies the strategy to the ledger before a turn. Dropping happens here; a summary needs a
 * turn of its own, so the caller runs it (`ledger.turn(now, summaryTokens)` then
 * `ledger.summarize(summaryTokens)`) when this returns `summarize`.
 */
export function prepareContext(ledger: TokenLedger, strategy: ContextStrategy, contextWindow: number): ContextAction {
  if (strategy.kind === 'drop-oldest' && ledger.context > strategy.at) {
    ledger.dropOldest(strategy.to, strategy.keep, strategy.placeholderTokens);
  } else if (strategy.kind === 'summarize' && ledger.context > strategy.at) {
    // The summary turn has to read the whole context: it cannot if the context no longer fits.
    return ledger.context > contextWindow ? 'overflow' : 'summarize';
  }
  return ledger.context > contextWindow ? 'overflow' : 'ok';
}
