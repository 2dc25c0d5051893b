/** `tunnelsim relay`: runs the standalone relay until SIGINT/SIGTERM, then drains. */
import type { Command } from './types.js';

export const relayCommand: Command = {
  command: 'relay',
  describe: 'run a tunnel relay (connectors at /connect, agents at /t/{id}/mcp)',
  builder: (y) =>
    y
      .option('port', { type: 'number', describe: 'listen port (default: config, else 8080)' })
      .option('host', { type: 'string', describe: 'listen address (default: config, else 127.0.0.1)' })
      .option('config', { type: 'string', describe: 'relay config YAML' }),
  handler: async (a: { port?: number; host?: string; config?: string }) => {
    const { loadRelayConfig } = await import('../../tunnel/relay-config.js');
    const { RelayServer } = await import('../../tunnel/relay-server.js');
    const config = loadRelayConfig(a.config);
    const relay = await RelayServer.start({
      ...config.server,
      ...(a.port !== undefined ? { port: a.port } : {}),
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
