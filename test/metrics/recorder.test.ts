import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Recorder } from '../../src/metrics/recorder.js';
import { encode, newHistogram } from '../../src/metrics/hdr.js';

/**
 * The world-wide `attempt`, `call.completed` and `call.failed` histograms are not recorded: each is
 * the sum of its per-tool histograms. The sum must be exactly the histogram of every value recorded
 * in one place (same buckets, count, min and max, so the same encoding and every percentile).
 */
describe('Recorder histograms summed over tools', () => {
  const value = fc.oneof(fc.double({ min: 0, max: 50, noNaN: true }), fc.double({ min: 0, max: 600_000, noNaN: true }));
  const event = fc.record({ tool: fc.integer({ min: 0, max: 2 }), ms: value, ok: fc.boolean() });

  it('equal recording every value into one histogram', () => {
    fc.assert(
      fc.property(fc.array(event, { maxLength: 300 }), (events) => {
        const rec = new Recorder(['a', 'b', 'c'], 1000);
        const attempt = newHistogram();
        const completed = newHistogram();
        const failed = newHistogram();
        for (const e of events) {
          const us = Math.round(e.ms * 1000);
          rec.tools[e.tool].waited.recordValue(us);
          attempt.recordValue(us);
          rec.callEnded(e.tool, e.ms, e.ok);
          (e.ok ? completed : failed).recordValue(us);
        }
        const h = rec.toRecord('w', 'p', 0).histograms;
        expect(h.attempt).toBe(encode(attempt));
        expect(h['call.completed']).toBe(encode(completed));
        expect(h['call.failed']).toBe(encode(failed));
        expect(rec.histogram('attempt').totalCount).toBe(events.length);
      }),
      { seed: 7, numRuns: 120 },
    );
  });

  it('holds a tool histogram apart from the sum (adding does not change the tool’s own)', () => {
    const rec = new Recorder(['a', 'b'], 1000);
    rec.callEnded(0, 12, true);
    rec.callEnded(1, 3400, true);
    expect(rec.histogram('call.completed').totalCount).toBe(2);
    expect(rec.tools[0].callCompleted.totalCount).toBe(1);
    const h = rec.toRecord('w', 'p', 0).histograms;
    expect(h['call.completed{tool:a}']).not.toBe(h['call.completed']);
  });
});
