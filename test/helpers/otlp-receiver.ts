/**
 * A local OTLP/HTTP trace receiver for tests: 127.0.0.1, port 0, `POST /v1/traces` with JSON bodies
 * (what `@opentelemetry/exporter-trace-otlp-http` sends), kept in arrival order. `jsonl()` gives
 * them as the OpenTelemetry Collector's file exporter writes them: one request per line.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import type { OtlpSpan, OtlpTraceRequest } from '../../src/report/otlp-json.js';

export interface OtlpReceiver {
  /** Base URL, as OTEL_EXPORTER_OTLP_ENDPOINT takes it. */
  url: string;
  requests: OtlpTraceRequest[];
  /** Every span received, with its resource's service.name. */
  spans(): (OtlpSpan & { service: string })[];
  jsonl(): string;
  close(): Promise<void>;
}

export async function startOtlpReceiver(): Promise<OtlpReceiver> {
  const requests: OtlpTraceRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.method !== 'POST' || req.url !== '/v1/traces') return void res.writeHead(404).end();
      let body = Buffer.concat(chunks);
      if (req.headers['content-encoding'] === 'gzip') body = gunzipSync(body);
      if (!String(req.headers['content-type']).startsWith('application/json')) return void res.writeHead(415).end();
      requests.push(JSON.parse(body.toString('utf8')) as OtlpTraceRequest);
      res.writeHead(200, { 'Content-Type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    spans: () =>
      requests.flatMap((r) =>
        (r.resourceSpans ?? []).flatMap((rs) => {
          const service = rs.resource?.attributes?.find((a) => a.key === 'service.name')?.value?.stringValue ?? '';
          return (rs.scopeSpans ?? []).flatMap((ss) => (ss.spans ?? []).map((s) => ({ ...s, service })));
        }),
      ),
    jsonl: () => requests.map((r) => `${JSON.stringify(r)}\n`).join(''),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
