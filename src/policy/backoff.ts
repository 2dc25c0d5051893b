/**
 * Backoff delays with the jitter formulas of the AWS Architecture Blog ("Exponential Backoff And
 * Jitter", 2015). `retry` is 1 for the first retry. `u` is a keyed uniform so every policy draws its
 * jitter from the same stream position for the same attempt.
 *
 * - none:         d
 * - full:         u · d
 * - equal:        d/2 + u · d/2
 * - decorrelated: min(max, base + u · (3 · prev − base)), prev = the previous delay (base at first)
 */
import type { BackoffSpec } from './types.js';

/** The un-jittered delay before retry number `retry`. */
export function baseDelay(spec: BackoffSpec, retry: number): number {
  switch (spec.kind) {
    case 'none':
      return 0;
    case 'constant':
      return Math.min(spec.max, spec.base);
    case 'linear':
      return Math.min(spec.max, spec.base * retry);
    case 'exponential':
      return Math.min(spec.max, spec.base * Math.pow(spec.factor, retry - 1));
  }
}

export function backoffDelay(spec: BackoffSpec, retry: number, prev: number, u: number): number {
  if (spec.kind === 'none') return 0;
  const d = baseDelay(spec, retry);
  switch (spec.jitter) {
    case 'none':
      return d;
    case 'full':
      return u * d;
    case 'equal':
      return d / 2 + (u * d) / 2;
    case 'decorrelated': {
      const p = retry <= 1 ? spec.base : prev;
      return Math.min(spec.max, spec.base + u * Math.max(0, 3 * p - spec.base));
    }
  }
}
