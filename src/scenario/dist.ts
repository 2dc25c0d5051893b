/**
 * Distribution fields of a scenario. A field is either a bare value (a constant) or an object with
 * `dist:` and its parameters. Latency fields take durations (`180ms`), size fields take numbers.
 * The schema outputs a `DistSpec` in the field's unit (milliseconds or tokens).
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { DistSpec } from '../model/distribution.js';
import { parseDuration } from './units.js';

export type ValueKind = 'duration' | 'number';

export function durationSchema(): z.ZodType<number> {
  return z.union([z.string(), z.number()]).transform((v, ctx) => {
    if (typeof v === 'number') {
      if (v === 0) return 0;
      ctx.addIssue({ code: 'custom', message: `a duration needs a unit, e.g. '${v}ms' or '${v}s'` });
      return z.NEVER;
    }
    const ms = parseDuration(v);
    if (ms === undefined) {
      ctx.addIssue({ code: 'custom', message: `'${v}' is not a duration (use us, ms, s, m, h: '250ms', '1.5s', '6m30s')` });
      return z.NEVER;
    }
    return ms;
  });
}

function valueSchema(kind: ValueKind): z.ZodType<number> {
  return kind === 'duration' ? durationSchema() : z.number().finite().nonnegative();
}

/** Base directory for `empirical` files, set by the loader while it parses one scenario. */
export const distContext = { baseDir: '.' };

/** Reads a file a scenario names, relative to the scenario; on failure adds an issue and returns undefined. */
export function readRelative(file: string, what: string, ctx: z.RefinementCtx): string | undefined {
  const path = file.startsWith('/') ? file : `${distContext.baseDir}/${file}`;
  try {
    return readFileSync(path, 'utf8');
  } catch {
    ctx.addIssue({ code: 'custom', message: `cannot read ${what} file '${file}'` });
    return undefined;
  }
}

/** Reads a samples file (one value a line, `#` comments), relative to the scenario; issues go to `ctx`. */
export function readSamples(file: string, ctx: z.RefinementCtx, kind: ValueKind): number[] {
  const text = readRelative(file, 'samples', ctx);
  if (text === undefined) return [];
  const out: number[] = [];
  for (const line of text.split(/\r?\n/)) {
    const t = line.trim();
    if (!t || t.startsWith('#')) continue;
    const v = kind === 'duration' && /[a-zµ]$/.test(t) ? parseDuration(t) : Number(t);
    if (v === undefined || !Number.isFinite(v) || v < 0) {
      ctx.addIssue({ code: 'custom', message: `samples file '${file}' has a bad value '${t}'` });
      return [];
    }
    out.push(v);
  }
  if (out.length === 0) ctx.addIssue({ code: 'custom', message: `samples file '${file}' holds no samples` });
  return out;
}

/** Parses `input` with `schema` inside another schema, re-raising its issues at their relative paths. */
export function delegate<T>(schema: z.ZodType<T>, input: unknown, ctx: z.RefinementCtx): T {
  const r = schema.safeParse(input);
  if (r.success) return r.data;
  for (const issue of r.error.issues) {
    const path = issue.path as (string | number)[];
    // An unknown key reads as everywhere else: `…relayShedding.targt: unknown key`.
    if (issue.code === 'unrecognized_keys') ctx.addIssue({ code: 'custom', message: 'unknown key', path: [...path, issue.keys[0]] });
    else ctx.addIssue({ code: 'custom', message: issue.message, path });
  }
  return z.NEVER;
}

const DIST_KINDS = ['constant', 'uniform', 'normal', 'lognormal', 'exponential', 'pareto', 'mixture', 'empirical'] as const;

export function distSchema(kind: ValueKind): z.ZodType<DistSpec> {
  const v = valueSchema(kind);
  const pos = kind === 'duration' ? durationSchema().refine((x) => x > 0, 'must be > 0') : z.number().positive();
  const objects: Record<(typeof DIST_KINDS)[number], z.ZodType<DistSpec>> = {
    constant: z.strictObject({ dist: z.literal('constant'), value: v }),
    uniform: z
      .strictObject({ dist: z.literal('uniform'), min: v, max: v })
      .refine((d) => d.max >= d.min, { message: 'max must be ≥ min', path: ['max'] }),
    normal: z.strictObject({ dist: z.literal('normal'), mean: v, sd: v }),
    lognormal: z
      .strictObject({
        dist: z.literal('lognormal'),
        median: pos.optional(),
        p99: pos.optional(),
        mu: z.number().finite().optional(),
        sigma: z.number().nonnegative().optional(),
      })
      .transform((d, ctx): DistSpec => {
        if (d.median !== undefined && d.p99 !== undefined && d.mu === undefined && d.sigma === undefined) {
          if (!(d.p99 > d.median)) ctx.addIssue({ code: 'custom', message: 'p99 must be greater than median', path: ['p99'] });
          return { dist: 'lognormal', median: d.median, p99: d.p99 };
        }
        if (d.mu !== undefined && d.sigma !== undefined && d.median === undefined && d.p99 === undefined) {
          return { dist: 'lognormal', mu: d.mu, sigma: d.sigma };
        }
        ctx.addIssue({ code: 'custom', message: 'lognormal takes either `median` + `p99` or `mu` + `sigma`' });
        return z.NEVER;
      }),
    exponential: z.strictObject({ dist: z.literal('exponential'), mean: pos }),
    pareto: z.strictObject({ dist: z.literal('pareto'), scale: pos, shape: z.number().positive() }),
    mixture: z.strictObject({
      dist: z.literal('mixture'),
      components: z
        .array(
          z.looseObject({ weight: z.number().positive() }).transform((c, ctx) => {
            const { weight, ...rest } = c;
            return { weight, of: delegate(distSchema(kind), rest, ctx) };
          }),
        )
        .min(1),
    }),
    empirical: z
      .strictObject({ dist: z.literal('empirical'), file: z.string().optional(), samples: z.array(v).min(1).optional() })
      .transform((d, ctx): DistSpec => {
        if (!d.samples && !d.file) ctx.addIssue({ code: 'custom', message: 'empirical needs `file` or `samples`' });
        const samples = d.samples ?? (d.file ? readSamples(d.file, ctx, kind) : []);
        return { dist: 'empirical', samples };
      }),
  };
  return z.unknown().transform((input, ctx): DistSpec => {
    if (typeof input !== 'object' || input === null || Array.isArray(input)) {
      return { dist: 'constant', value: delegate(v, input, ctx) };
    }
    const d = (input as { dist?: unknown }).dist;
    if (typeof d !== 'string' || !(DIST_KINDS as readonly string[]).includes(d)) {
      ctx.addIssue({ code: 'custom', message: `dist must be one of ${DIST_KINDS.join(', ')}`, path: ['dist'] });
      return z.NEVER;
    }
    return delegate(objects[d as (typeof DIST_KINDS)[number]], input, ctx);
  });
}
