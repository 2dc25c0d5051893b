import { describe, expect, it } from 'vitest';
import { median, sampled } from '../../src/bench/median.js';

describe('bench samples', () => {
  it('takes the middle value, or the mean of the middle two', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNaN();
  });

  it('keeps the range beside the median, so a noisy run shows its spread', () => {
    expect(sampled([2.4, 3.9, 2.6, 3.1, 2.5], '×')).toEqual({ median: 2.6, unit: '×', samples: 5, min: 2.4, max: 3.9 });
  });
});
