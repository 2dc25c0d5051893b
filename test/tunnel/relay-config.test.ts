import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadRelayConfig } from '../../src/tunnel/relay-config.js';
import { TunnelsimError } from '../../src/errors.js';

const dir = mkdtempSync(join(tmpdir(), 'relay-config-'));
const env = { TUNNELSIM_JWT_SECRET: 'x'.repeat(40) };
function file(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

describe('loadRelayConfig', () => {
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads durations, limits and tunnels', () => {
    const c = loadRelayConfig(file('ok.yaml', 'port: 9000\nheartbeat: 5s\ntunnels: [a, b]\nlimits: { maxInFlightPerTunnel: 8, queue: 2 }\ndrainTimeout: 3s\n'), env);
    expect(c.server).toMatchObject({ port: 9000, heartbeatMs: 5000, tunnels: ['a', 'b'], maxInFlightPerTunnel: 8, queue: 2 });
    expect(c.drainTimeoutMs).toBe(3000);
  });

  it('names the file and field path of an unknown key', () => {
    const f = file('typo.yaml', 'limits:\n  maxInflight: 3\n');
    expect(() => loadRelayConfig(f, env)).toThrow(TunnelsimError);
    try {
      loadRelayConfig(f, env);
    } catch (e) {
      expect((e as TunnelsimError).line()).toBe(`${f}: limits.maxInflight: unknown key`);
      expect((e as TunnelsimError).exitCode).toBe(2);
    }
  });

  it('rejects a bad duration and a missing secret as bad input', () => {
    const f = file('dur.yaml', 'heartbeat: soon\n');
    expect(() => loadRelayConfig(f, env)).toThrow(/'soon' is not a duration/);
    expect(() => loadRelayConfig(f, env)).toThrow(expect.objectContaining({ field: 'heartbeat', file: f }));
    expect(() => loadRelayConfig(undefined, {})).toThrow(/TUNNELSIM_JWT_SECRET is not set/);
  });

  it('words a duration without a unit as scenario files do', () => {
    const f = file('unitless.yaml', 'heartbeat: 15\n');
    expect(() => loadRelayConfig(f, env)).toThrow(expect.objectContaining({ field: 'heartbeat', message: "a duration needs a unit, e.g. '15ms' or '15s'" }));
  });

  it('reads the new limits and refuses a tunnel id no agent could reach', () => {
    const c = loadRelayConfig(file('limits.yaml', 'limits: { maxSessionsPerSubject: 4, maxRequestsPerSubject: 8 }\nrequestTimeout: 2m\nconnectTokenTtl: 30s\nallowedOrigins: [http://app.example]\n'), env);
    expect(c.server).toMatchObject({ maxSessionsPerSubject: 4, maxRequestsPerSubject: 8, requestTimeoutMs: 120_000, connectTokenTtlSec: 30, allowedOrigins: ['http://app.example'] });
    expect(() => loadRelayConfig(file('dots.yaml', 'tunnels: [demo, ..]\n'), env)).toThrow(expect.objectContaining({ field: 'tunnels[1]' }));
  });
});

