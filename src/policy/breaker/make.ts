/** Builds the breaker a spec names. */
import type { BreakerSpec } from '../types.js';
import type { Breaker, BreakerListener } from './breaker.js';
import { ConsecutiveBreaker } from './consecutive.js';
import { CountBreaker } from './count.js';
import { SamplingBreaker } from './sampling.js';

export function makeBreaker(spec: BreakerSpec, listener?: BreakerListener): Breaker {
  switch (spec.kind) {
    case 'consecutive':
      return new ConsecutiveBreaker(spec, listener);
    case 'count':
      return new CountBreaker(spec, listener);
    case 'sampling':
      return new SamplingBreaker(spec, listener);
  }
}
