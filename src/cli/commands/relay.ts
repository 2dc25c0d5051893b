/** `tunnelsim relay`: runs the standalone relay until SIGINT/SIGTERM, then drains. */
import { TunnelsimError } from '../../errors.js';
import type { Command } from './types.js';

export const relayCommand: Command = {
  command: 'relay',
  describe: 'run a tunnel relay (connectors at /connect, agents at /t/{id}/mcp; audit lines to stderr unless the config says otherwise)',
  builder: (y) =>
    y
      .option('port', { type: 'string', describe: 'listen port (default: config, else 8080)' })
      .option('host', { type: 'string', describe: 'listen address (default: config, else 127.0.0.1)' })
      .option('config', { type: 'string', describe: 'relay config YAML' }),
  handler: async (a: { port?: string; host?: string; config?: string }) => {
    const port = a.port === undefined ? undefined : parsePort(a.port);
    const { loadRelayConfig } = await import('../../tunnel/relay-config.js');
    const { RelayServer } = await import('../../tunnel/relay-server.js');
    const config = loadRelayConfig(a.config);
    const relay = await RelayServer.start({
      ...config.server,
      ...(port !== undefined ? { port } : {}),
      ...(a.host !== undefined ? { host: a.host } : {}),
    });
    process.stderr.write(`relay: listening on ${relay.baseUrl()} (agents: /t/{id}/mcp, connectors: /connect)\n`);
    await new Promise<void>((resolve) => {
      const stop = (signal: string) => {
        process.stderr.write(`relay: ${signal}, draining (up to ${config.drainTimeoutMs} ms)\n`);
        void relay.drain(config.drainTimeoutMs).then(resolve);
      };
      process.once('SIGTERM', () => stop('SIGTERM'));
      process.once('SIGINT', () => stop('SIGINT'));
    });
    return 0;
  },
};

/** A TCP port as typed: digits only, 0–65535 (0 picks a free one). */
export function parsePort(text: string): number {
  const n = /^\d{1,5}$/.test(text.trim()) ? Number(text) : NaN;
  if (!(n >= 0 && n <= 65535)) throw new TunnelsimError('BAD_INPUT', `'${text}' is not a port (an integer from 0 to 65535)`, { field: '--port' });
  return n;
}
