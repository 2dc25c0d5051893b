import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { measureSim } from '../../src/bench/sim-child.js';

const REFERENCE = fileURLToPath(new URL('../../scenarios/thirty-call.yaml', import.meta.url));

describe('the sim bench child', () => {
  it('times only the measured worlds: the warm-up worlds add no attempts or events to the figure', () => {
    // 100 of the reference's 2,000 workflows, one policy; the warm-up runs other seeds first.
    const cold = measureSim(REFERENCE, 0.05, 'sdk-default');
    const warm = measureSim(REFERENCE, 0.05, 'sdk-default', true);
    expect(cold.attempts).toBeGreaterThan(2_000);
    expect(warm.attempts).toBe(cold.attempts);
    expect(warm.events).toBe(cold.events);
    expect(warm.ms).toBeGreaterThan(0);
  });

  it('scales the workflow count, and names a policy the scenario lacks', () => {
    const one = measureSim(REFERENCE, 0.05, 'naive-retry');
    const two = measureSim(REFERENCE, 0.1, 'naive-retry');
    expect(two.attempts).toBeGreaterThan(1.5 * one.attempts);
    expect(() => measureSim(REFERENCE, 0.05, 'no-such-policy')).toThrow(/no policy 'no-such-policy'/);
  });
});
