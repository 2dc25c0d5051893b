import { describe, expect, it } from 'vitest';
import { Admission } from '../../src/relay/admission.js';
import { allowedWait, DEFAULT_SHEDDING } from '../../src/relay/shedding.js';

describe('Admission', () => {
  it('forwards up to maxInFlight, queues up to queue, rejects past it, and serves the queue FIFO', () => {
    const a = new Admission<string>({ maxInFlight: 1, queue: 2 });
    expect(a.offer('x').kind).toBe('forward');
    expect(a.offer('y').kind).toBe('queued');
    expect(a.offer('z').kind).toBe('queued');
    expect(a.offer('w')).toEqual({ kind: 'rejected', item: 'w' });
    expect(a.release()).toBe('y');
    expect(a.release()).toBe('z');
    expect(a.release()).toBeUndefined();
    expect(a.inFlight).toBe(0);
  });

  it('sheds nothing without shedding, however long a request waited', () => {
    const a = new Admission<string>({ maxInFlight: 1, queue: 8 });
    a.offer('x', 0);
    a.offer('y', 0);
    expect(a.release(1e9)).toBe('y');
    expect(a.shed).toEqual([]);
  });
});

describe('CoDel-style shedding', () => {
  const s = { ...DEFAULT_SHEDDING }; // target 5 ms, interval 100 ms

  it('allows the interval in a queue that emptied recently, the target in one that has stood a whole interval', () => {
    expect(allowedWait(s, 50, 0)).toBe(100);
    expect(allowedWait(s, 100, 0)).toBe(100);
    expect(allowedWait(s, 101, 0)).toBe(5);
  });

  it('sheds at release the queued requests past their allowed wait, oldest first, and forwards the first fresh one', () => {
    const a = new Admission<string>({ maxInFlight: 1, queue: 8, shedding: s });
    a.offer('busy', 0);
    a.offer('early', 0); // the queue just became non-empty: may wait 100 ms
    a.offer('mid', 150); // it has stood 150 ms: may wait 5 ms, until 155
    a.offer('late', 200); // until 205
    // At 180: 'early' (deadline 100) and 'mid' (155) waited too long; 'late' is forwarded.
    expect(a.release(180)).toBe('late');
    expect(a.shed).toEqual(['early', 'mid']);
    a.shed.length = 0;
    expect(a.inFlight).toBe(1);
    expect(a.release(300)).toBeUndefined();
    expect(a.inFlight).toBe(0);
  });

  it('frees the slot when every waiting request is shed', () => {
    const a = new Admission<string>({ maxInFlight: 1, queue: 8, shedding: s });
    a.offer('busy', 0);
    a.offer('q', 0);
    expect(a.release(500)).toBeUndefined();
    expect(a.shed).toEqual(['q']);
    expect(a.inFlight).toBe(0);
    expect(a.queued).toBe(0);
  });

  it('refuses a target above the interval', () => {
    expect(() => new Admission({ shedding: { kind: 'codel', target: 200, interval: 100 } })).toThrow(RangeError);
  });
});
