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
      .option('config', { type: 'string', describe: 'relay config YAML' })
      .option('metrics', { type: 'string', describe: 'serve Prometheus /metrics on [HOST:]PORT, its own listener (alone: 127.0.0.1:9464)' })
      .option('otlp', { type: 'string', describe: "export the relay's hop spans to this OTLP/HTTP endpoint (default: OTEL_EXPORTER_OTLP_ENDPOINT when set)" }),
  handler: async (a: { port?: string; host?: string; config?: string; metrics?: string; otlp?: string }) => {
    const port = a.port === undefined ? undefined : parsePort(a.port);
    const { loadRelayConfig } = await import('../../tunnel/relay-config.js');
    const { RelayServer } = await import('../../tunnel/relay-server.js');
    const { observers } = await import('../../tunnel/observer.js');
    const { otlpTracesUrl } = await import('../../tunnel/otlp-endpoint.js');
    const config = loadRelayConfig(a.config);
    const otlp = otlpTracesUrl(a.otlp);
    const metricsAt = a.metrics === undefined ? undefined : (await import('../../tunnel/metrics-server.js')).parseMetricsAddress(a.metrics);
    // Telemetry loads only when asked for: a relay without it does no work for it.
    const metrics = metricsAt ? new (await import('../../tunnel/metrics.js')).RelayMetrics() : undefined;
    const tracing = otlp ? (await import('../../tunnel/otel.js')).startTracing(otlp, 'tunnelsim-relay', undefined, (m) => process.stderr.write(`relay: warning: ${m}\n`)) : undefined;
    const relayTracing = tracing ? new (await import('../../tunnel/tracing.js')).RelayTracing(tracing.tracer) : undefined;
    const relay = await RelayServer.start({
      ...config.server,
      ...(port !== undefined ? { port } : {}),
      ...(a.host !== undefined ? { host: a.host } : {}),
      observer: observers(metrics, relayTracing),
    });
    const metricsServer = metrics && metricsAt ? await (await import('../../tunnel/metrics-server.js')).startMetricsServer(metrics.bind(relay.core), metricsAt).catch(async (err: unknown) => {
      await relay.close();
      throw err;
    }) : undefined;
    process.stderr.write(`relay: listening on ${relay.baseUrl()} (agents: /t/{id}/mcp, connectors: /connect)\n`);
    if (metricsServer) process.stderr.write(`relay: Prometheus metrics at ${metricsServer.url}\n`);
    if (otlp) process.stderr.write(`relay: exporting spans to ${otlp}\n`);
    await new Promise<void>((resolve) => {
      const stop = (signal: string) => {
        process.stderr.write(`relay: ${signal}, draining (up to ${config.drainTimeoutMs} ms)\n`);
        void relay.drain(config.drainTimeoutMs).then(resolve);
      };
      process.once('SIGTERM', () => stop('SIGTERM'));
      process.once('SIGINT', () => stop('SIGINT'));
    });
    await metricsServer?.close();
    await tracing?.shutdown();
    return 0;
  },
};

/** A TCP port as typed: digits only, 0–65535 (0 picks a free one). */
export function parsePort(text: string): number {
  const n = /^\d{1,5}$/.test(text.trim()) ? Number(text) : NaN;
  if (!(n >= 0 && n <= 65535)) throw new TunnelsimError('BAD_INPUT', `'${text}' is not a port (an integer from 0 to 65535)`, { field: '--port' });
  return n;
}
