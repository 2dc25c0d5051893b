/**
 * The blocks the terminal prints under the policy table and the thresholds, each only when it has
 * something to say: the timeouts and the percentiles they came from, and recovery after each fault window.
 */
import { calibrationBlock } from './calibration-view.js';
import { recoveryBlocks } from './recovery-view.js';
import type { Report } from './types.js';

export function reportBlocks(report: Report): string[] {
  return [calibrationBlock(report), ...recoveryBlocks(report)].filter((b) => b !== '');
}
