/**
 * The `workload:` section. Closed: `agents` run workflows back to back (plus `thinkTime`). Open:
 * arrivals at `arrivalRate` per second — Poisson or evenly spaced — optionally ramped through
 * k6-style `stages`, shaped by a daily `profile` from a CSV file, multiplied by `rateScale` (the
 * knob `capacity` turns), with `bursts` of extra workflows on top.
 */
import { z } from 'zod';
import { distSchema, durationSchema, readRelative } from './dist.js';
import { parseDuration } from './units.js';

const count = z.number().int().positive();

/** Reads `time,rate` lines (time as a duration or seconds; rate per second); `#` comments and a header line are skipped. */
function readProfile(file: string, ctx: z.RefinementCtx): [number, number][] {
  const text = readRelative(file, 'profile', ctx);
  if (text === undefined) return [];
  const points: [number, number][] = [];
  for (const [n, line] of text.split(/\r?\n/).entries()) {
    const t = line.trim();
    if (!t || t.startsWith('#') || /^[A-Za-z]/.test(t)) continue;
    const [timeText, rateText] = t.split(',').map((x) => x.trim());
    const time = /[a-zµ]$/.test(timeText ?? '') ? parseDuration(timeText) : Number(timeText) * 1000;
    const rate = Number(rateText);
    if (time === undefined || !Number.isFinite(time) || !Number.isFinite(rate) || rate < 0 || (points.length > 0 && time <= points[points.length - 1][0])) {
      ctx.addIssue({ code: 'custom', message: `profile file '${file}' line ${n + 1}: want 'time,rate' with increasing times and rates ≥ 0` });
      return [];
    }
    points.push([time, rate]);
  }
  if (points.length === 0) ctx.addIssue({ code: 'custom', message: `profile file '${file}' holds no points` });
  return points;
}

export const workloadSchema = z
  .strictObject({
    model: z.enum(['closed', 'open']).default('closed'),
    agents: count.optional(),
    arrivalRate: z.number().nonnegative().optional(),
    arrival: z.enum(['poisson', 'uniform']).default('poisson'),
    stages: z.array(z.strictObject({ duration: durationSchema(), target: z.number().nonnegative() })).min(1).optional(),
    profile: z
      .string()
      .transform((file, ctx) => readProfile(file, ctx))
      .optional(),
    rateScale: z.number().positive().default(1),
    bursts: z.array(z.strictObject({ at: durationSchema().optional(), every: durationSchema().optional(), size: count })).default([]),
    workflows: count.optional(),
    duration: durationSchema().optional(),
    thinkTime: distSchema('duration').optional(),
  })
  .superRefine((w, ctx) => {
    if (w.model === 'closed') {
      if (w.agents === undefined) ctx.addIssue({ code: 'custom', message: 'a closed workload needs `agents`', path: ['agents'] });
      for (const k of ['arrivalRate', 'stages', 'profile'] as const) {
        if (w[k] !== undefined) ctx.addIssue({ code: 'custom', message: `\`${k}\` belongs to an open workload (model: open)`, path: [k] });
      }
    } else {
      const shapes = [w.stages, w.profile].filter((x) => x !== undefined).length;
      if (w.arrivalRate === undefined && shapes === 0) {
        ctx.addIssue({ code: 'custom', message: 'an open workload needs `arrivalRate` (workflows per second), `stages` or `profile`', path: ['arrivalRate'] });
      }
      if (shapes > 1) ctx.addIssue({ code: 'custom', message: 'give `stages` or `profile`, not both', path: ['profile'] });
      if (w.thinkTime !== undefined) ctx.addIssue({ code: 'custom', message: '`thinkTime` belongs to a closed workload', path: ['thinkTime'] });
    }
    w.bursts.forEach((b, i) => {
      if ((b.at === undefined) === (b.every === undefined)) ctx.addIssue({ code: 'custom', message: 'a burst needs exactly one of `at` or `every`', path: ['bursts', i, 'at'] });
    });
    if (w.workflows === undefined && w.duration === undefined && w.stages === undefined) {
      ctx.addIssue({ code: 'custom', message: 'give `workflows` or `duration` (when to stop)', path: ['workflows'] });
    }
  });

export type WorkloadEntry = z.output<typeof workloadSchema>;
