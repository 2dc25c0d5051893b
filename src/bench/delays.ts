/** The injected-delay accuracy suite for `tunnelsim bench` (the measuring code is live/bench-delays.ts). */
import { benchDelays, type Lateness } from '../live/bench-delays.js';
import type { BenchResult, BenchSuite } from './types.js';

const lateness = (l: Lateness): BenchResult => ({ median: l.p50Ms, p99: l.p99Ms, unit: 'ms', samples: l.timers });

export const delaysSuite: BenchSuite = {
  name: 'delays',
  run: async (opts) => {
    const r = await benchDelays(opts.quick ? { workflows: 10 } : {});
    return {
      results: {
        lateness: lateness(r),
        'lateness.clockAlone': lateness(r.clockAlone),
        'lateness.setTimeoutAlone': lateness(r.setTimeoutAlone),
      },
      ratios: {},
    };
  },
};
