/**
 * Pricing as data (DESIGN.md "The agent, its tokens and its bill"): what one LLM turn costs.
 *
 * Prices come from the scenario or from a dated preset in `scenarios/pricing/`; nothing here holds
 * a price. A turn is billed at one price tier, chosen by the turn's whole input (cached tokens
 * included), because the providers that have long-context tiers bill the whole request at the
 * higher rate once its prompt passes the threshold. Batch discounts are folded into the prices
 * when the scenario resolves (see scenario/resolve-llm.ts), so the formula never branches on them.
 */
import type { TokenCounts } from '../metrics/recorder.js';

/** A long-context tier: turns whose input exceeds `above` tokens pay these rates instead. */
export interface PriceTier {
  above: number;
  inputPerMTok: number;
  outputPerMTok: number;
}

export type CachingMode = 'explicit' | 'automatic' | 'none';

/** Resolved pricing of one scenario, dollars per million tokens. */
export interface Pricing {
  /** Where the figures were read, with the date (copied from the preset when one is used). */
  source: string;
  /** The preset name or file as the scenario gave it, when the prices came from one. */
  preset?: string;
  inputPerMTok: number;
  outputPerMTok: number;
  cacheReadMultiplier: number;
  cacheWriteMultiplier: number;
  /** Milliseconds a cached prefix lives after it was last written or read. */
  cacheTtl: number;
  caching: CachingMode;
  /** Long-context tiers, ascending by `above`; absent when the model has one rate. */
  tiers?: PriceTier[];
  /** True when the batch discount is folded into the prices above. */
  batch?: true;
}

/** The rates a turn with `inputTokens` of input pays: the highest tier it passes, else the base. */
export function ratesFor(p: Pricing, inputTokens: number): { inputPerMTok: number; outputPerMTok: number } {
  let rates: { inputPerMTok: number; outputPerMTok: number } = p;
  if (p.tiers) for (const t of p.tiers) if (inputTokens > t.above) rates = t;
  return rates;
}

/**
 * Cost of one turn in dollars:
 * (input·in + cacheRead·in·r + cacheWrite·in·w + output·out) / 1e6, with in/out of the turn's tier.
 * `inputTokens` picks the tier; it defaults to the turn's whole input.
 */
export function turnCost(p: Pricing, t: TokenCounts, inputTokens = t.input + t.cacheRead + t.cacheWrite): number {
  const r = ratesFor(p, inputTokens);
  return (t.input * r.inputPerMTok + t.cacheRead * r.inputPerMTok * p.cacheReadMultiplier + t.cacheWrite * r.inputPerMTok * p.cacheWriteMultiplier + t.output * r.outputPerMTok) / 1e6;
}

/** Dollars to the integer nano-dollars that counters hold, so shards add up exactly. */
export function toNanos(dollars: number): number {
  return Math.round(dollars * 1e9);
}
