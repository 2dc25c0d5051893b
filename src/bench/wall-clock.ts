/**
 * The wall clock, for code that measures real elapsed time outside a simulation (benchmarks). It
 * lives here because the determinism contract lets only live/ and cli/ read ambient time.
 */
import type { Clock } from '../kernel/clock.js';

export const wallClock: Clock = { now: () => performance.now() };
