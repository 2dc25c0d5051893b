import { describe, expect, it } from 'vitest';
import { coreOptions, DEFAULT_RELAY_CORE } from '../../src/relay/core-options.js';
import { RelayCore } from '../../src/relay/core.js';

describe('coreOptions', () => {
  it('fills in every default and keeps what is given', () => {
    expect(coreOptions({})).toEqual(DEFAULT_RELAY_CORE);
    expect(coreOptions({ maxSessionsPerSubject: 3, queue: 0 })).toEqual({ ...DEFAULT_RELAY_CORE, maxSessionsPerSubject: 3, queue: 0 });
  });

  it('refuses a session, request or time bound below 1, as the relay core does', () => {
    for (const k of ['maxSessionsPerTunnel', 'maxSessionsPerSubject', 'maxRequestsPerSubject', 'requestTimeoutMs'] as const) {
      expect(() => coreOptions({ [k]: 0 }), k).toThrow(new RangeError(`${k} must be ≥ 1`));
      expect(() => new RelayCore({ [k]: Number.NaN }), k).toThrow(RangeError);
    }
  });
});
