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

const QUEUE = 65_536;
const BATCH = 1024;

export interface Tracing {
  tracer: Tracer;
  /** Exports what is buffered and stops; never rejects (an endpoint that is down loses its spans, not the run). */
  shutdown(): Promise<void>;
}

/**
 * A tracer that records spans and exports none: a live run's warm-up runs the same span code paths
 * as the measured worlds, so their JIT compilation is not in the measurement, without sending the
 * warm-up's spans anywhere.
 */
export function silentTracer(): Tracer {
  return new BasicTracerProvider().getTracer('tunnelsim-warmup');
}

/** `onError` hears, once, why the last spans could not be exported (e.g. the endpoint refused the connection). */
export function startTracing(url: string, service: string, version = '0.1.0', onError?: (message: string) => void): Tracing {
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': service, 'service.version': version }),
    // A live run makes thousands of spans a second: a deep queue, large batches, a short delay. A
    // flush sends every queued batch at once, so the exporter must accept that many requests in
    // flight (past its limit it rejects, and the rejection would end the process).
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url, concurrencyLimit: QUEUE / BATCH + 1 }), { maxQueueSize: QUEUE, maxExportBatchSize: BATCH, scheduledDelayMillis: 1000 })],
  });
  return {
    tracer: provider.getTracer('tunnelsim', version),
    shutdown: () => provider.shutdown().catch((err: unknown) => onError?.(`${service}: spans not exported to ${url}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`)),
  };
}
