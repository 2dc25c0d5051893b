// The scenario keys of issue #16 refuse bad values with one line naming the field, like every key.
import { describe, expect, it } from 'vitest';
import { TunnelsimError } from '../../src/errors.js';
import { scenario } from '../helpers/scenario.js';

function refuse(patch: Record<string, unknown>): TunnelsimError {
  try {
    scenario(patch);
  } catch (err) {
    if (err instanceof TunnelsimError) return err;
    throw err;
  }
  throw new Error('accepted');
}

describe('model keys', () => {
  it.each([
    [{ server: { tools: { a: { service: '10ms', attemptCorrelation: 1.5 } } } }, 'server.tools.a.attemptCorrelation', /between 0 and 1/],
    [{ network: { agentToRelay: { latency: '1ms', attemptCorrelation: -0.1 } } }, 'network.agentToRelay.attemptCorrelation', /between 0 and 1/],
    [{ network: { relayToServer: { latency: '1ms', maxStreamDuration: '0ms' } } }, 'network.relayToServer.maxStreamDuration', /> 0/],
    [{ workflow: { finalTurn: 'yes' } }, 'workflow.finalTurn', /true or false/],
    [{ calibration: { warmup: 'soon' } }, 'calibration.warmup', /not a duration/],
    [{ calibration: { faults: 'some' } }, 'calibration.faults', /exclude|include/],
    [{ relay: { shedding: { kind: 'codel', target: '200ms', interval: '100ms' } } }, 'relay.shedding.interval', /≥ target/],
    [{ policies: [{ name: 'p', relayShedding: { kind: 'codel', targt: '2ms' } }] }, 'policies[0].relayShedding.targt', /unknown key/],
    [{ policies: [{ name: 'p', concurrencyLimit: { kind: 'aimd', min: 50, max: 10 } }] }, 'policies[0].concurrencyLimit.max', /≥ min/],
    [{ policies: [{ name: 'p', concurrencyLimit: { kind: 'aimd', backoffRatio: 1 } }] }, 'policies[0].concurrencyLimit.backoffRatio', /\[0\.5, 1\)/],
  ])('refuses %j at its field', (patch, field, message) => {
    const e = refuse(patch);
    expect(e.field).toBe(field);
    expect(e.message).toMatch(message);
  });

  it('accepts the defaults: final turn on, correlation 0, no cutoffs, steady-state calibration without fault windows', () => {
    const sc = scenario();
    expect(sc.workflow.finalTurn).toBe(true);
    expect(sc.tools[0].attemptCorrelation).toBe(0);
    expect(sc.network.agentToRelay).toMatchObject({ attemptCorrelation: 0, maxStreamMs: Infinity, idleTimeoutMs: Infinity });
    expect(sc.calibration).toMatchObject({ warmup: 'auto', faults: 'exclude', duration: undefined });
    expect(sc.relay.shedding).toBeUndefined();
  });
});
