/**
 * The scenario file's schema (DESIGN.md "Scenario file"). Strict: an unknown key is an error, so a
 * typo never falls back to a default silently. Defaults live here, in one place, next to the
 * field they fill; docs/scenario.md lists them.
 */
import { z } from 'zod';
import { calibrationSchema } from './calibration-schema.js';
import { distSchema, durationSchema } from './dist.js';
import { faultSchema } from './fault-schema.js';
import { llmSchema } from './llm-schema.js';
import { policyEntrySchema, sheddingOrNone } from './policy-schema.js';
import { workloadSchema } from './workload-schema.js';
import { traceSchema } from './trace.js';
import { DEFAULT_LIMITS } from './work.js';

const tokens = () => distSchema('number');
const latency = () => distSchema('duration');
const count = z.number().int().positive();
const correlation = () => z.number().min(0, 'must be between 0 and 1').max(1, 'must be between 0 and 1').default(0);
const cutoff = () => durationSchema().refine((ms) => ms > 0, 'must be > 0').optional();

/** One network hop: its one-way latency, how its delays persist across attempts, and where it cuts streams. */
function linkSchema() {
  return z.strictObject({
    latency: latency(),
    attemptCorrelation: correlation(),
    /** A response stream through this hop is reset after this long, busy or not. */
    maxStreamDuration: cutoff(),
    /** A stream with no bytes for this long is closed (Cloudflare: 125 s for an idle MCP stream, 120 s proxy read timeout). */
    idleTimeout: cutoff(),
  });
}

const callStep = z.union([
  z.string(),
  z.strictObject({ tool: z.string(), argTokens: z.number().int().nonnegative().optional(), resultTokens: tokens().optional() }),
]);

export type ScriptStepEntry =
  | { call: z.output<typeof callStep> }
  | { parallel: z.output<typeof callStep>[] }
  | { branch: { probability: number; then: ScriptStepEntry[]; else?: ScriptStepEntry[] } }
  | { repeat: { times: number; steps: ScriptStepEntry[] } };

const scriptStep: z.ZodType<ScriptStepEntry> = z.lazy(() =>
  z.union([
    z.strictObject({ call: callStep }),
    z.strictObject({ parallel: z.array(callStep).min(1).max(64) }),
    z.strictObject({
      branch: z.strictObject({ probability: z.number().min(0).max(1), then: z.array(scriptStep), else: z.array(scriptStep).optional() }),
    }),
    z.strictObject({ repeat: z.strictObject({ times: z.number().int().min(1), steps: z.array(scriptStep).min(1) }) }),
  ]),
) as z.ZodType<ScriptStepEntry>;

export const scenarioSchema = z.strictObject({
  name: z.string().min(1),
  description: z.string().optional(),
  seed: z.number().int().nonnegative().default(1),
  /** Independent worlds per policy; unset: 5 for `run`, 1 for live, sweep, capacity and tune (run/sim.ts). */
  replications: z.number().int().min(1).optional(),
  workload: workloadSchema,
  workflow: z
    .strictObject({
      steps: count.optional(),
      tools: z.array(z.string()).min(1).optional(),
      order: z.union([z.enum(['round-robin', 'weighted']), z.array(z.string()).min(1)]).default('round-robin'),
      weights: z.record(z.string(), z.number().positive()).optional(),
      script: z.array(scriptStep).min(1).optional(),
      module: z.string().optional(),
      trace: traceSchema.optional(),
      /** The turn that reads the last result and answers: the largest context of the workflow. */
      finalTurn: z.boolean().default(true),
    })
    .superRefine((w, ctx) => {
      const forms = [w.tools !== undefined || Array.isArray(w.order), w.script !== undefined, w.module !== undefined, w.trace !== undefined].filter(Boolean).length;
      if (forms !== 1) ctx.addIssue({ code: 'custom', message: 'give exactly one of `tools` (+ `order`), `script`, `module` or `trace`' });
      if (w.tools && w.steps === undefined && !Array.isArray(w.order)) ctx.addIssue({ code: 'custom', message: 'needs `steps`', path: ['steps'] });
      if (w.order === 'weighted' && !w.weights) ctx.addIssue({ code: 'custom', message: '`order: weighted` needs `weights`', path: ['weights'] });
    }),
  llm: llmSchema,
  relay: z
    .strictObject({
      processing: latency().default({ dist: 'constant', value: 0.2 }),
      maxInFlightPerTunnel: count.default(256),
      queue: z.number().int().nonnegative().default(1024),
      reconnect: z.strictObject({ base: durationSchema().default(1000), max: durationSchema().default(30_000) }).prefault({}),
      /** Shed requests that queued too long (relay/shedding.ts); a policy's `relayShedding` overrides it. */
      shedding: sheddingOrNone().default('none'),
    })
    .prefault({}),
  network: z
    .strictObject({
      agentToRelay: linkSchema().prefault({ latency: 0 }),
      relayToServer: linkSchema().prefault({ latency: 0 }),
    })
    .prefault({}),
  server: z.strictObject({
    concurrency: count.default(32),
    tools: z.record(
      z.string(),
      z.strictObject({
        service: latency(),
        resultTokens: tokens().default({ dist: 'constant', value: 500 }),
        argTokens: z.number().int().nonnegative().default(40),
        idempotent: z.boolean().default(true),
        /** How much a slow attempt stays slow on retry: 0 draws each attempt afresh, 1 repeats the first draw (model/correlation.ts). */
        attemptCorrelation: correlation(),
        /** The tool only reads: mock and live upstreams mark it `readOnlyHint`, so read-only tokens may call it. */
        readOnly: z.boolean().default(false),
        /** Live mode: the call's arguments; strings may hold {{workflow}}, {{step}}, {{call}} and {{attempt}}. */
        args: z.record(z.string(), z.unknown()).optional(),
      }),
    ),
  }),
  faults: z.array(faultSchema).default([]),
  calibration: calibrationSchema,
  policies: z.array(policyEntrySchema).min(1),
  thresholds: z.record(z.string(), z.array(z.string())).default({}),
  report: z
    .strictObject({
      window: durationSchema().default(10_000),
      /** What the verdict optimises: a report figure in threshold grammar (docs/reports.md "The verdict"). */
      objective: z.string().default('cost.perCompletedWorkflow'),
      maximize: z.boolean().default(false),
      /** A policy completing a smaller share of its workflows is not eligible to win. */
      completionFloor: z.number().min(0, 'must be between 0 and 1').max(1, 'must be between 0 and 1').default(0.95),
    })
    .prefault({}),
  /** What the run may ask of the machine (scenario/work.ts); raise a limit to run more. */
  limits: z
    .strictObject({
      calls: z.number().positive().default(DEFAULT_LIMITS.calls),
      windows: z.number().positive().default(DEFAULT_LIMITS.windows),
      worlds: z.number().positive().default(DEFAULT_LIMITS.worlds),
      steps: z.number().positive().default(DEFAULT_LIMITS.steps),
    })
    .prefault({}),
});

export type ScenarioFile = z.output<typeof scenarioSchema>;
