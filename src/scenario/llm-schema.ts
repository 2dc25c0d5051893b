/**
 * The `llm:` section of a scenario: context sizes, turn latency, pricing (inline or a dated preset
 * from `scenarios/pricing/`), the context strategy and the spend cap. Strict like the rest: an
 * unknown key is an error. Defaults that depend on other fields (`at` = 80 % of the window, the
 * preset's prices) are filled in scenario/resolve-llm.ts.
 */
import { z } from 'zod';
import { DEFAULT_CONTEXT_STRATEGY } from '../tokens/context-strategy.js';
import { distSchema, durationSchema } from './dist.js';

const count = z.number().int().positive();
const tokenCount = z.number().int().nonnegative();
const price = z.number().nonnegative();

export const tierSchema = z.strictObject({ above: count, inputPerMTok: price, outputPerMTok: price });

/** Fields a preset file and an inline `pricing:` share. */
const priceFields = {
  inputPerMTok: price,
  outputPerMTok: price,
  cacheReadMultiplier: price,
  cacheWriteMultiplier: price,
  cacheTtl: durationSchema(),
  caching: z.enum(['explicit', 'automatic', 'none']),
  tiers: z.array(tierSchema).min(1),
  /** Factor on every price when the work goes through the provider's batch API. */
  batchMultiplier: z.number().positive().max(1),
};

export const pricingSchema = z
  .strictObject({
    /** A preset name (`claude-sonnet-4-5`) or a YAML file relative to the scenario. */
    preset: z.string().min(1).optional(),
    source: z.string().min(1, 'cite where the prices came from').optional(),
    inputPerMTok: priceFields.inputPerMTok.optional(),
    outputPerMTok: priceFields.outputPerMTok.optional(),
    cacheReadMultiplier: priceFields.cacheReadMultiplier.optional(),
    cacheWriteMultiplier: priceFields.cacheWriteMultiplier.optional(),
    cacheTtl: priceFields.cacheTtl.optional(),
    caching: priceFields.caching.optional(),
    tiers: priceFields.tiers.optional(),
    batchMultiplier: priceFields.batchMultiplier.optional(),
    /** Bill at the batch rates (the preset's or this section's `batchMultiplier`). */
    batch: z.boolean().optional(),
  })
  .superRefine((p, ctx) => {
    if (p.preset !== undefined) return;
    if (p.source === undefined) ctx.addIssue({ code: 'custom', message: 'cite where the prices came from (or use `preset:`)', path: ['source'] });
    if (p.inputPerMTok === undefined) ctx.addIssue({ code: 'custom', message: 'required (or use `preset:`)', path: ['inputPerMTok'] });
    if (p.outputPerMTok === undefined) ctx.addIssue({ code: 'custom', message: 'required (or use `preset:`)', path: ['outputPerMTok'] });
  });

/** A preset file in `scenarios/pricing/`: one model's list prices, dated, with their source. */
export const pricingPresetSchema = z.strictObject({
  name: z.string().min(1),
  model: z.string().min(1).optional(),
  /** The day the figures were read (YYYY-MM-DD). */
  read: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'write the date the prices were read as YYYY-MM-DD'),
  source: z.string().min(1),
  notes: z.string().optional(),
  inputPerMTok: priceFields.inputPerMTok,
  outputPerMTok: priceFields.outputPerMTok,
  cacheReadMultiplier: priceFields.cacheReadMultiplier,
  cacheWriteMultiplier: priceFields.cacheWriteMultiplier,
  cacheTtl: priceFields.cacheTtl,
  caching: priceFields.caching,
  tiers: priceFields.tiers.optional(),
  batchMultiplier: priceFields.batchMultiplier.optional(),
});
export type PricingPresetFile = z.output<typeof pricingPresetSchema>;

const contextStrategySchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('fail') }),
  z.strictObject({
    kind: z.literal('drop-oldest'),
    at: count.optional(),
    to: tokenCount.optional(),
    keep: tokenCount.optional(),
    placeholderTokens: tokenCount.optional(),
  }),
  z.strictObject({ kind: z.literal('summarize'), at: count.optional(), summaryTokens: count }),
]);

const spendCapSchema = z
  .strictObject({ tokens: count.optional(), dollars: z.number().positive().optional() })
  .refine((c) => c.tokens !== undefined || c.dollars !== undefined, 'give `tokens`, `dollars` or both');

export const llmSchema = z
  .strictObject({
    contextWindow: count.default(200_000),
    systemTokens: tokenCount.default(2000),
    toolSchemaTokens: tokenCount.default(1500),
    taskTokens: tokenCount.default(300),
    errorTokens: tokenCount.default(60),
    outputTokensPerTurn: distSchema('number').default({ dist: 'constant', value: 150 }),
    latency: z
      .strictObject({
        ttft: durationSchema().default(400),
        outputTokensPerSec: z.number().positive().default(80),
        prefillTokensPerSec: z.number().positive().default(5000),
      })
      .prefault({}),
    pricing: pricingSchema.prefault({ source: 'none given: zero prices', inputPerMTok: 0, outputPerMTok: 0 }),
    contextStrategy: contextStrategySchema.default(DEFAULT_CONTEXT_STRATEGY as { kind: 'fail' }),
    spendCap: spendCapSchema.optional(),
  })
  .prefault({});

export type LlmFile = z.output<typeof llmSchema>;
