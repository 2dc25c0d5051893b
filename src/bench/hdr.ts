/**
 * HDR recording cost against appending to a preallocated Float64Array — the cheapest way to keep a
 * sample at all: `fastRecordValue` is the simulator's own front-end (metrics/fast-histogram.ts,
 * what every hot-path histogram records into, handed to a real HdrHistogram once per world), and
 * `recordValue` is hdr-histogram-js's own. `fastRecordVsPush` tells whether recording stays cheap
 * enough to leave every histogram on in the simulator's hot path; CI gates it. `recordVsPush` is
 * the library's, reported but not gated: its compiled code is bimodal per process (42 or 90 ns/op
 * on the same values, 1 process in 6 under load, each with a spread under 1 %), which no number of
 * rounds within one process can average out.
 */
import { build } from 'hdr-histogram-js';
import { FastHistogram } from '../metrics/fast-histogram.js';
import { DEFAULT_MEASURE, measure, speedRatio } from './measure.js';
import type { BenchSuite } from './types.js';

const BATCH = 4096;

/** Latency-like values in µs from 1 µs to ~60 s, spread by a multiplicative hash, so every run records the same values. */
function sampleValues(): Float64Array {
  const values = new Float64Array(BATCH);
  for (let i = 0; i < BATCH; i++) {
    const u = (Math.imul(i + 1, 0x9e3779b1) >>> 0) / 4294967296;
    values[i] = Math.round(Math.exp(u * Math.log(60_000_000)));
  }
  return values;
}

export const hdrSuite: BenchSuite = {
  name: 'hdr',
  async run(opts) {
    const values = sampleValues();
    const histogram = build({ bitBucketSize: 64, numberOfSignificantValueDigits: 3, autoResize: true });
    const fast = new FastHistogram();
    const sink = new Float64Array(BATCH);
    let sinkAt = 0;
    const results = await measure(
      {
        recordValue: {
          opsPerCall: BATCH,
          fn: () => {
            for (let i = 0; i < BATCH; i++) histogram.recordValue(values[i]);
          },
        },
        fastRecordValue: {
          opsPerCall: BATCH,
          fn: () => {
            for (let i = 0; i < BATCH; i++) fast.recordValue(values[i]);
          },
        },
        float64Push: {
          opsPerCall: BATCH,
          fn: () => {
            sinkAt = 0;
            for (let i = 0; i < BATCH; i++) sink[sinkAt++] = values[i];
          },
        },
      },
      opts,
      // Full warm-up and measuring time even with --quick (2.5 s in all): with the quick 25 ms
      // warm-up, recordValue was sometimes timed before V8 had optimised it (75 against 40 ns/op),
      // which halved the ratio CI gates on.
      DEFAULT_MEASURE,
    );
    // Keep the work observable so the JIT cannot drop it.
    if (histogram.totalCount === 0 || fast.totalCount === 0 || sink[BATCH - 1] !== values[BATCH - 1]) throw new Error('hdr bench lost its samples');
    return {
      results,
      ratios: { recordVsPush: speedRatio(results, 'recordValue', 'float64Push'), fastRecordVsPush: speedRatio(results, 'fastRecordValue', 'float64Push') },
    };
  },
};
