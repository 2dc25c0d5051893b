import { describe, expect, it } from 'vitest';
import { formatLeft, ProgressLine, progressText } from '../../src/cli/progress.js';

describe('progressText', () => {
  it('extrapolates the time left from the share done and the time spent', () => {
    // 43 % in 9.3 s: the remaining 57 % at the same pace takes 9.3 × 57 / 43 = 12.3 s.
    expect(progressText(0.43, 9300, 3)).toBe('simulating: 43% of 3 worlds · 12.3 s left');
    expect(progressText(0.5, 60_000, 1)).toBe('simulating: 50% of 1 world · 1 min 00 s left');
    expect(progressText(0.25, 3_600_000, 10)).toBe('simulating: 25% of 10 worlds · 3 h 00 min left');
  });

  it('does not guess before 1 % or half a second, and gives the time taken at the end', () => {
    expect(progressText(0.005, 10_000, 2)).toBe('simulating: 0% of 2 worlds · estimating time left');
    expect(progressText(0.5, 400, 2)).toBe('simulating: 50% of 2 worlds · estimating time left');
    expect(progressText(1, 4200, 2)).toBe('simulating: 100% of 2 worlds · 4.2 s');
  });

  it('rounds down the share, so 100 % means done', () => {
    expect(progressText(0.999, 10_000, 2)).toMatch(/^simulating: 99% /);
  });
});

describe('formatLeft', () => {
  it('uses tenths of seconds under a minute, then minutes and seconds, then hours and minutes', () => {
    expect(formatLeft(12_345)).toBe('12.3 s');
    expect(formatLeft(59_990)).toBe('1 min 00 s');
    expect(formatLeft(125_000)).toBe('2 min 05 s');
    expect(formatLeft(3_723_000)).toBe('1 h 02 min');
    expect(formatLeft(-5)).toBe('0.0 s');
  });
});

describe('ProgressLine', () => {
  it('redraws at most once per interval of its clock, always at the end, and blanks what a longer line left', () => {
    let t = 0;
    const out: string[] = [];
    const line = new ProgressLine(2, { now: () => t, write: (s) => out.push(s), intervalMs: 100 });
    t = 600;
    line.update(0.5); // drawn: the first update
    t = 650;
    line.update(0.6); // within 100 ms of the last: skipped
    t = 700;
    line.update(1.2); // drawn
    t = 710;
    line.update(2); // the end: drawn at once, with a newline
    expect(out).toEqual([
      '\rsimulating: 25% of 2 worlds · 1.8 s left',
      '\rsimulating: 60% of 2 worlds · 0.5 s left',
      '\rsimulating: 100% of 2 worlds · 0.7 s    \n',
    ]);
  });
});
