// The simulator checked against reality (DESIGN.md budget: p50 and p95 per-call latency agree
// within 5 % on the calibration scenario). The live run is real sockets on loopback at time scale 1.
import { describe, expect, it } from 'vitest';
import { calibrateSimLive, calibrationTable } from '../../src/run/sim-vs-live.js';
import { loadScenario } from '../../src/scenario/load.js';

const TOLERANCE = 0.05;

describe('calibrateSimLive', () => {
  it('agrees with the simulator within 5 % at p50 and p95 per-call latency on scenarios/calibration.yaml', async () => {
    const sc = loadScenario('scenarios/calibration.yaml');
    const c = await calibrateSimLive(sc, { timeScale: 1, policies: ['sdk-default'] });
    const table = calibrationTable(c.rows);
    expect(c.rows).toHaveLength(1);
    const row = c.rows[0];
    expect(row.calls.live).toBe(row.calls.sim);
    expect(Math.abs(row.diff.p50), table).toBeLessThanOrEqual(TOLERANCE);
    expect(Math.abs(row.diff.p95), table).toBeLessThanOrEqual(TOLERANCE);
    // Real sockets only ever add time: live is never faster than the model at the median.
    expect(row.live.p50).toBeGreaterThanOrEqual(row.sim.p50);
  });
});
