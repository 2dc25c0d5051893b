import { afterEach, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { Harness, SECRET } from './harness.js';
import { mintToken } from '../../src/tunnel/tokens.js';

const RAW = fileURLToPath(new URL('../fixtures/raw-connector.mjs', import.meta.url));

async function rawConnector(h: Harness, tunnel: string): Promise<ChildProcess> {
  const token = await mintToken(SECRET, { tunnel, roles: ['connect'] });
  const child = spawn(process.execPath, [RAW, `ws://127.0.0.1:${h.relay.port}`, tunnel, token], { stdio: ['ignore', 'pipe', 'inherit'] });
  h.onClose(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const gone = new Promise((r) => child.once('exit', r));
      child.kill('SIGKILL');
      await gone;
    }
  });
  await new Promise((r) => createInterface({ input: child.stdout! }).once('line', r));
  return child;
}

async function timedFailure(p: Promise<unknown>): Promise<{ ms: number; message: string }> {
  const t0 = Date.now();
  const message = await p.then(
    () => 'answered',
    (e: Error) => e.message,
  );
  return { ms: Date.now() - t0, message };
}

describe('relay with a connector process that dies or freezes', () => {
  let h: Harness;
  afterEach(async () => h.closeAll());

  it('fails the in-flight call at once when the connector process is killed, not at the heartbeat', async () => {
    h = await new Harness().start();
    const child = await rawConnector(h, 'k');
    const client = await h.client('k');
    const call = client.callTool({ name: 'hang', arguments: {} });
    await new Promise((r) => setTimeout(r, 100));
    child.kill('SIGKILL');
    const r = await timedFailure(call);
    expect(r.message).toMatch(/connector disconnected/);
    // From the socket's close, at once: the heartbeat fallback (two missed 15 s pings) would take 30 s.
    expect(r.ms).toBeLessThan(5000);
    expect(h.audit.records.some((a) => a.status === 'connector_lost' && a.tool === 'hang')).toBe(true);
  });

  it('detects a frozen connector by heartbeat and fails its call', async () => {
    h = await new Harness().start({ heartbeatMs: 150 });
    const child = await rawConnector(h, 'f');
    const client = await h.client('f');
    const call = client.callTool({ name: 'hang', arguments: {} });
    await new Promise((r) => setTimeout(r, 50));
    child.kill('SIGSTOP'); // alive but silent: no pongs
    const r = await timedFailure(call);
    child.kill('SIGKILL');
    expect(r.message).toMatch(/connector disconnected/);
    expect(r.ms).toBeLessThan(3 * 150 + 300);
  });
});
