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
    expect(() => loadRelayConfig(f, env)).toThrow(/must be a duration/);
    expect(() => loadRelayConfig(f, env)).toThrow(expect.objectContaining({ field: 'heartbeat', file: f }));
    expect(() => loadRelayConfig(undefined, {})).toThrow(/TUNNELSIM_JWT_SECRET is not set/);
  });
});
