/**
 * The `/metrics` endpoint, on a listener of its own (default 127.0.0.1:9464, the port OpenTelemetry's
 * Prometheus exporter uses): the relay's public port serves agents and connectors, and tunnel names
 * and traffic figures are for the operator's Prometheus, not for whoever reaches that port.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { TunnelsimError } from '../errors.js';
import type { RelayMetrics } from './metrics.js';

export const DEFAULT_METRICS_ADDRESS = { host: '127.0.0.1', port: 9464 };

export interface MetricsServer {
  url: string;
  close(): Promise<void>;
}

/** Parses `--metrics [HOST:]PORT` (empty: the default address). */
export function parseMetricsAddress(text: string): { host: string; port: number } {
  if (text === '') return { ...DEFAULT_METRICS_ADDRESS };
  const m = /^(?:(.+):)?(\d{1,5})$/.exec(text);
  const port = m ? Number(m[2]) : NaN;
  if (!m || port > 65535) throw new TunnelsimError('BAD_INPUT', `'${text}' is not [HOST:]PORT, e.g. 9464 or 127.0.0.1:9464`, { field: '--metrics' });
  return { host: m[1]?.replace(/^\[(.*)\]$/, '$1') ?? DEFAULT_METRICS_ADDRESS.host, port };
}

export async function startMetricsServer(metrics: RelayMetrics, address: { host: string; port: number }): Promise<MetricsServer> {
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://metrics').pathname;
    if (req.method !== 'GET' || path !== '/metrics') return void res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found\n');
    metrics.scrape().then(
      ({ contentType, text }) => res.writeHead(200, { 'Content-Type': contentType }).end(text),
      () => res.writeHead(500, { 'Content-Type': 'text/plain' }).end('metrics failed\n'),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => reject(new TunnelsimError('RUNTIME', `cannot listen on ${address.host}:${address.port} for metrics: ${err.code ?? err.message}`)));
    server.listen(address.port, address.host, () => resolve());
  });
  const a = server.address() as AddressInfo;
  const host = a.family === 'IPv6' ? `[${a.address}]` : a.address;
  return {
    url: `http://${host}:${a.port}/metrics`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
