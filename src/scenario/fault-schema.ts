/**
 * The `faults:` section. Names follow tc netem and Toxiproxy. Every fault may carry a
 * `probability` (Toxiproxy's toxicity, default 1), a `tool` and a time window `from`/`to`.
 */
import { z } from 'zod';
import { durationSchema } from './dist.js';

const common = {
  tool: z.string().optional(),
  probability: z.number().min(0, 'must be between 0 and 1').max(1, 'must be between 0 and 1').optional(),
  from: durationSchema().optional(),
  to: durationSchema().optional(),
};
const link = z.enum(['agentToRelay', 'relayToServer']);

export const faultSchema = z
  .discriminatedUnion('kind', [
    z.strictObject({ kind: z.literal('hang'), ...common }),
    z.strictObject({ kind: z.literal('error'), code: z.number().int().optional(), message: z.string().optional(), ...common }),
    z.strictObject({ kind: z.literal('drop'), link: link.optional(), ...common }),
    z.strictObject({ kind: z.literal('reset'), ...common }),
    z.strictObject({ kind: z.literal('slow'), multiplier: z.number().positive(), link: link.optional(), ...common }),
    z.strictObject({ kind: z.literal('rate-limit'), retryAfter: durationSchema().optional(), ...common }),
    z.strictObject({ kind: z.literal('fail-first'), count: z.number().int().min(1), ...common }),
    z.strictObject({
      kind: z.literal('burst-loss'),
      link: link.optional(),
      meanGood: durationSchema(),
      meanBad: durationSchema(),
      lossGood: z.number().min(0).max(1).optional(),
      lossBad: z.number().min(0).max(1).optional(),
      ...common,
    }),
    z.strictObject({
      kind: z.literal('latency-spike'),
      link: link.optional(),
      multiplier: z.number().positive().optional(),
      add: durationSchema().optional(),
      ...common,
    }),
    z.strictObject({ kind: z.literal('outage'), target: z.enum(['relay', 'connector', 'server']).optional(), ...common }),
    z.strictObject({
      kind: z.literal('token-expiry'),
      every: durationSchema().optional(),
      at: durationSchema().optional(),
      reauth: durationSchema().optional(),
      ...common,
    }),
  ])
  .superRefine((f, ctx) => {
    if (f.from !== undefined && f.to !== undefined && !(f.to > f.from)) ctx.addIssue({ code: 'custom', message: 'must be after `from`', path: ['to'] });
    if ((f.kind === 'outage' || f.kind === 'latency-spike') && (f.from === undefined || f.to === undefined)) {
      ctx.addIssue({ code: 'custom', message: `${f.kind} needs a window: \`from\` and \`to\``, path: [f.from === undefined ? 'from' : 'to'] });
    }
    if (f.kind === 'token-expiry' && f.every === undefined && f.at === undefined) {
      ctx.addIssue({ code: 'custom', message: 'token-expiry needs `every` or `at`', path: ['every'] });
    }
  });

export type FaultEntry = z.output<typeof faultSchema>;

/** A fault that strikes only inside a time window (an incident): outages, latency spikes, and any fault given `from` or `to`. */
export function isWindowed(f: FaultEntry): boolean {
  return f.kind === 'outage' || f.kind === 'latency-spike' || f.from !== undefined || f.to !== undefined;
}
