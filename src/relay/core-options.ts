/**
 * What a relay core bounds, and its defaults: sessions per tunnel and per subject, requests per
 * subject, a request's deadline, the frame limit, and the admission (in flight, queue, shedding)
 * of each tunnel. `coreOptions` fills in the defaults and refuses a bound below 1.
 */
import type { AdmissionOptions } from './admission.js';

export interface RelayCoreOptions extends AdmissionOptions {
  /**
   * Tunnel ids the relay serves; an agent asking for another one gets 404. `undefined` means any id
   * a connector holds a valid token for. @default undefined
   */
  tunnels?: readonly string[];
  /** Agent sessions open at once per tunnel. @default 1024 */
  maxSessionsPerTunnel: number;
  /** Agent sessions one subject may hold open on one tunnel. @default 256 */
  maxSessionsPerSubject: number;
  /** Requests (forwarded + queued) one subject may have on one tunnel at once. @default 256 */
  maxRequestsPerSubject: number;
  /** A request unanswered this long after it arrived fails with -32016, whatever its progress, ms. @default 300000 */
  requestTimeoutMs: number;
  /** The tunnel's frame limit, bytes (named in the error of a result that does not fit). @default 1048576 */
  maxFrameBytes: number;
}

export const DEFAULT_RELAY_CORE: Omit<RelayCoreOptions, 'tunnels'> = {
  maxInFlight: 256,
  queue: 1024,
  maxSessionsPerTunnel: 1024,
  maxSessionsPerSubject: 256,
  maxRequestsPerSubject: 256,
  requestTimeoutMs: 300_000,
  maxFrameBytes: 1 << 20,
};

/** The options with their defaults; a session, request or time bound below 1 is a RangeError. */
export function coreOptions(options: Partial<Omit<RelayCoreOptions, 'tunnels'>>): Omit<RelayCoreOptions, 'tunnels'> {
  const o = { ...DEFAULT_RELAY_CORE, ...options };
  for (const k of ['maxSessionsPerTunnel', 'maxSessionsPerSubject', 'maxRequestsPerSubject', 'requestTimeoutMs'] as const) {
    if (!(o[k] >= 1)) throw new RangeError(`${k} must be ≥ 1`);
  }
  return o;
}
