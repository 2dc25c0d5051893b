/**
 * Resolves the validated `llm:` section into the runtime `LlmSpec`: the preset's prices under the
 * scenario's overrides, defaults that depend on other fields, the batch discount folded into the
 * prices, and the cross-field checks a schema cannot express (with the field path of each).
 */
import { sampler } from '../model/distribution.js';
import { TunnelsimError } from '../errors.js';
import { DEFAULT_KEEP, DEFAULT_TRIGGER_SHARE, type ContextStrategy } from '../tokens/context-strategy.js';
import type { Pricing, PriceTier } from '../tokens/pricing.js';
import type { LlmFile } from './llm-schema.js';
import { loadPricingPreset } from './pricing-preset.js';
import type { LlmSpec } from './types.js';

/** Pricing defaults for fields neither the scenario nor its preset set. */
export const DEFAULT_PRICING = {
  /** @default 0.1 (cache reads at a tenth of the input price) */
  cacheReadMultiplier: 0.1,
  /** @default 1.25 (Anthropic's 5-minute cache writes) */
  cacheWriteMultiplier: 1.25,
  /** @default 5 minutes */
  cacheTtl: 300_000,
  /** @default 'explicit' */
  caching: 'explicit' as const,
};

export function resolveLlm(l: LlmFile, file: string): LlmSpec {
  const fail = (field: string, message: string): never => {
    throw new TunnelsimError('INVALID_SCENARIO', message, { file, field: `llm.${field}` });
  };
  const base = l.systemTokens + l.toolSchemaTokens + l.taskTokens;
  return {
    contextWindow: l.contextWindow,
    systemTokens: l.systemTokens,
    toolSchemaTokens: l.toolSchemaTokens,
    taskTokens: l.taskTokens,
    errorTokens: l.errorTokens,
    outputTokensPerTurn: sampler(l.outputTokensPerTurn),
    ttft: l.latency.ttft,
    outputTokensPerSec: l.latency.outputTokensPerSec,
    prefillTokensPerSec: l.latency.prefillTokensPerSec,
    pricing: resolvePricing(l.pricing, file, fail),
    contextStrategy: resolveStrategy(l, base, fail),
    spendCap: l.spendCap && { tokens: l.spendCap.tokens, nanos: l.spendCap.dollars === undefined ? undefined : Math.round(l.spendCap.dollars * 1e9) },
  };
}

function resolvePricing(p: LlmFile['pricing'], file: string, fail: (field: string, message: string) => never): Pricing {
  const preset = p.preset === undefined ? undefined : loadPricingPreset(p.preset, file, 'llm.pricing.preset');
  const pick = <K extends keyof typeof DEFAULT_PRICING>(k: K) => p[k] ?? preset?.[k] ?? DEFAULT_PRICING[k];
  const overridden = preset ? (['inputPerMTok', 'outputPerMTok', 'tiers'] as const).filter((k) => p[k] !== undefined) : [];
  let source = p.source ?? `${preset!.source} (read ${preset!.read})`;
  if (overridden.length > 0 && p.source === undefined) source += `; ${overridden.join(', ')} overridden by the scenario`;
  const tiers = p.tiers ?? preset?.tiers;
  const out: Pricing = {
    source,
    inputPerMTok: p.inputPerMTok ?? preset!.inputPerMTok,
    outputPerMTok: p.outputPerMTok ?? preset!.outputPerMTok,
    cacheReadMultiplier: pick('cacheReadMultiplier'),
    cacheWriteMultiplier: pick('cacheWriteMultiplier'),
    cacheTtl: pick('cacheTtl'),
    caching: pick('caching'),
  };
  if (p.preset !== undefined) out.preset = p.preset;
  if (tiers) {
    tiers.forEach((t, i) => {
      if (i > 0 && !(t.above > tiers[i - 1].above)) fail(`pricing.tiers[${i}].above`, 'tiers must ascend by `above`');
    });
    out.tiers = tiers.map((t): PriceTier => ({ ...t }));
  }
  if (p.batch) {
    const m = p.batchMultiplier ?? preset?.batchMultiplier;
    if (m === undefined) fail('pricing.batch', 'these prices have no `batchMultiplier`: give one');
    out.inputPerMTok *= m!;
    out.outputPerMTok *= m!;
    out.tiers = out.tiers?.map((t) => ({ above: t.above, inputPerMTok: t.inputPerMTok * m!, outputPerMTok: t.outputPerMTok * m! }));
    out.batch = true;
  }
  return out;
}

function resolveStrategy(l: LlmFile, base: number, fail: (field: string, message: string) => never): ContextStrategy {
  const s = l.contextStrategy;
  if (s.kind === 'fail') return { kind: 'fail' };
  const at = s.at ?? Math.floor(l.contextWindow * DEFAULT_TRIGGER_SHARE);
  if (at > l.contextWindow) fail('contextStrategy.at', `must be at most contextWindow (${l.contextWindow})`);
  if (at <= base) fail('contextStrategy.at', `must exceed system + tool schemas + task (${base} tokens), which no strategy removes`);
  if (s.kind === 'summarize') {
    // A summary that does not bring the context below `at` would trigger another summary every turn.
    if (base + s.summaryTokens >= at) fail('contextStrategy.summaryTokens', `system + tools + task + summary must stay below at (${at})`);
    return { kind: 'summarize', at, summaryTokens: s.summaryTokens };
  }
  const to = s.to ?? 0;
  if (to > at) fail('contextStrategy.to', `must be at most at (${at})`);
  return { kind: 'drop-oldest', at, to, keep: s.keep ?? DEFAULT_KEEP, placeholderTokens: s.placeholderTokens ?? 0 };
}
