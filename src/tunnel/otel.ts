/**
 * OpenTelemetry trace export for the real tunnel and live runs: one `BasicTracerProvider` per
 * service (agent, relay, connector, MCP server) with its own `service.name`, a batching processor
 * and the SDK's OTLP/HTTP exporter. Nothing is registered globally, so providers of several
 * services live side by side in one process, and nothing exists unless an endpoint is given.
 */
import type { Tracer } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';

export interface Tracing {
  tracer: Tracer;
  /** Exports what is buffered and stops. */
  shutdown(): Promise<void>;
}

export function startTracing(url: string, service: string, version = '0.1.0'): Tracing {
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': service, 'service.version': version }),
    // A live run makes thousands of spans a second: a deep queue, large batches, a short delay.
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url }), { maxQueueSize: 65_536, maxExportBatchSize: 1024, scheduledDelayMillis: 1000 })],
  });
  return { tracer: provider.getTracer('tunnelsim', version), shutdown: () => provider.shutdown() };
}
