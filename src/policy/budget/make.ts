/** Builds the retry budget a spec names. */
import type { BudgetSpec } from '../types.js';
import type { RetryBudget } from './budget.js';
import { EnvoyBudget } from './envoy.js';
import { FinagleBudget } from './finagle.js';
import { GrpcThrottle } from './grpc.js';

export function makeBudget(spec: BudgetSpec): RetryBudget {
  switch (spec.kind) {
    case 'finagle':
      return new FinagleBudget(spec);
    case 'grpc':
      return new GrpcThrottle(spec);
    case 'envoy':
      return new EnvoyBudget(spec);
  }
}
