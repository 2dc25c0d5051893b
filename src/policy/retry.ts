/** Which failures a retry policy retries: shared by the transport caller and the agent layer. */
import type { FailureKind, RetrySpec } from './types.js';

export function retryable(spec: RetrySpec, kind: FailureKind, errorCode: number): boolean {
  if (!spec.retryOn.has(kind)) return false;
  return kind !== 'error' || spec.errorCodes === undefined || spec.errorCodes.has(errorCode);
}
