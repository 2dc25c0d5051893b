/**
 * Every benchmark suite `tunnelsim bench` runs, in order. Add a suite by importing it here: a
 * `BenchSuite` (types.ts) returns results by task name and ratios measured in the same run; the
 * runner prefixes both with the suite name (`hdr.recordValue`, `hdr.recordVsPush`).
 */
import { hdrSuite } from './hdr.js';
import { simSuite } from './sim.js';
import { relaySuite } from './relay.js';
import { sweepSuite } from './sweep.js';
import { delaysSuite } from './delays.js';
import { calibrationSuite } from './calibration.js';
import { anchorsSuite } from './anchors.js';
import type { BenchSuite } from './types.js';

export const suites: BenchSuite[] = [hdrSuite, simSuite, anchorsSuite, sweepSuite, relaySuite, delaysSuite, calibrationSuite];
