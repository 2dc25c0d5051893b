/**
 * The `calibration:` section: where percentile timeouts and hedge delays (`p95x1.5`) get their
 * percentiles. By default a neutral pass runs the scenario's own workload — the load the policies
 * will see — discards the warm-up and the drain, and leaves the fault windows out, as an engineer
 * measuring a p95 in staging under production load would. `probe:` takes the percentiles of the
 * tools `tunnelsim probe` measured from its output directory instead.
 */
import { readdirSync } from 'node:fs';
import { z } from 'zod';
import { delegate, distContext, durationSchema, readSamples } from './dist.js';

export const calibrationSchema = z
  .strictObject({
    /** `auto`: MSER-5 truncation of the neutral pass's mean-latency series; or a duration discarded from the start. */
    warmup: z
      .union([z.string(), z.number()])
      .transform((v, ctx): 'auto' | number => (v === 'auto' ? 'auto' : delegate(durationSchema(), v, ctx)))
      .default('auto'),
    /** `exclude`: time-windowed faults (outages, spikes, any fault with `from`/`to`) are left out of the pass; `include` keeps them. */
    faults: z.enum(['exclude', 'include']).default('exclude'),
    /** Run the neutral pass this long instead of the workload's own `workflows`/`duration`. */
    duration: durationSchema()
      .refine((ms) => ms > 0, 'must be > 0')
      .optional(),
    /** A directory written by `tunnelsim probe`: its tools' percentiles come from their `<tool>.latency.txt`. */
    probe: z
      .string()
      .transform((dir, ctx) => readProbeDir(dir, ctx))
      .optional(),
  })
  .prefault({});

export type CalibrationEntry = z.output<typeof calibrationSchema>;

/** Every `*.latency.txt` in a probe directory, by file name, in ms. */
function readProbeDir(dir: string, ctx: z.RefinementCtx): { dir: string; files: Record<string, number[]> } {
  const path = dir.startsWith('/') ? dir : `${distContext.baseDir}/${dir}`;
  let names: string[];
  try {
    names = readdirSync(path).filter((n) => n.endsWith('.latency.txt')).sort();
  } catch {
    ctx.addIssue({ code: 'custom', message: `cannot read probe directory '${dir}'` });
    return { dir, files: {} };
  }
  if (names.length === 0) ctx.addIssue({ code: 'custom', message: `probe directory '${dir}' holds no <tool>.latency.txt file (write one with \`tunnelsim probe --out ${dir}\`)` });
  const files: Record<string, number[]> = {};
  for (const n of names) files[n] = readSamples(`${dir}/${n}`, ctx, 'duration');
  return { dir, files };
}
