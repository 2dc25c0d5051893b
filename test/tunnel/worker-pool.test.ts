import { describe, expect, it } from 'vitest';
import { WorkerPool } from '../../src/tunnel/worker-pool.js';
import { Harness } from './harness.js';

describe('WorkerPool', () => {
  it('serves waiters FIFO and lets a cancelled waiter leave without a slot', async () => {
    const pool = new WorkerPool(1);
    const first = await pool.acquire();
    const order: string[] = [];
    const ac = new AbortController();
    const b = pool.acquire(ac.signal).then((r) => (order.push('b'), r), () => order.push('b-cancelled'));
    const c = pool.acquire().then((r) => (order.push('c'), r));
    ac.abort();
    await b;
    expect(pool.queued).toBe(1);
    first();
    first(); // releasing twice is harmless
    (await c)();
    expect(order).toEqual(['b-cancelled', 'c']);
    expect(pool.inUse).toBe(0);
  });

  it('queues calls beyond the mock server concurrency across sessions', async () => {
    const h = await new Harness().start();
    try {
      await h.connector('p', { kind: 'mock', concurrency: 1, tools: { work: { serviceMs: () => 100, resultTokens: () => 1 } } });
      const [a, b] = await Promise.all([h.client('p'), h.client('p')]);
      const t0 = Date.now();
      await Promise.all([a.callTool({ name: 'work', arguments: {} }), b.callTool({ name: 'work', arguments: {} })]);
      expect(Date.now() - t0).toBeGreaterThanOrEqual(195);
    } finally {
      await h.closeAll();
    }
  });
});
