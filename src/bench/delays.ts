/** The injected-delay accuracy suite for `tunnelsim bench` (the measuring code is live/bench-delays.ts). */
import { benchDelays } from '../live/bench-delays.js';
import type { BenchSuite } from './types.js';

export const delaysSuite: BenchSuite = {
  name: 'delays',
  run: async (opts) => {
    const r = await benchDelays(opts.quick ? { workflows: 10 } : {});
    return { results: { lateness: { median: r.p50Ms, p99: r.p99Ms, unit: 'ms', samples: r.timers } }, ratios: {} };
  },
};
