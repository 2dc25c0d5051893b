/**
 * The blocks the terminal prints under the policy table and the thresholds, each only when it has
 * something to say: the timeouts and the percentiles they came from, and (later) recovery figures.
 */
import { calibrationBlock } from './calibration-view.js';
import type { Report } from './types.js';

export function reportBlocks(report: Report): string[] {
  return [calibrationBlock(report)].filter((b) => b !== '');
}
