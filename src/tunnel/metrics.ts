/**
 * Prometheus metrics of the live relay (`tunnelsim relay --metrics`), with prom-client, as a
 * `RelayObserver`: request durations come from the audit records the relay writes anyway (one per
 * request, and one per refusal), in-flight and queue depth are read from the relay core when
 * Prometheus scrapes, connector state comes from the connector hook. The request histogram follows
 * the OpenTelemetry MCP convention `mcp.server.operation.duration` (seconds; the relay is the
 * server its agents see) in Prometheus's spelling, with `mcp_method_name`, `gen_ai_tool_name` and
 * `error_type` labels. Label values a client chooses are bounded: a tunnel label only for tunnels
 * a connector has served, a method only from MCP's list, a tool only from the tunnel's catalog —
 * so hostile requests cannot grow the series without bound.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { AuditRecord } from '../relay/audit.js';
import type { RelayCore } from '../relay/core.js';
import type { RelayObserver } from './observer.js';

/** Methods of the MCP specification (2025-06-18); anything else is `_OTHER`, as OpenTelemetry spells unknown methods. */
const MCP_METHODS = new Set([
  'initialize',
  'ping',
  'tools/list',
  'tools/call',
  'resources/list',
  'resources/templates/list',
  'resources/read',
  'resources/subscribe',
  'resources/unsubscribe',
  'prompts/list',
  'prompts/get',
  'completion/complete',
  'logging/setLevel',
  'sampling/createMessage',
  'elicitation/create',
  'roots/list',
]);

/** Audit statuses that are a refused credential or scope (the reasons of `tunnelsim_relay_auth_refusals_total`). */
const AUTH_REFUSALS = new Set(['missing_token', 'malformed', 'bad_signature', 'alg_not_allowed', 'expired', 'not_yet_valid', 'bad_issuer', 'bad_audience', 'wrong_tunnel', 'missing_scope', 'tool_not_allowed', 'read_only']);

/** The MCP convention's advisory buckets, with 1–5 ms in front: a loopback relay answers in under one. */
export const DURATION_BUCKETS = [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 30, 60, 120, 300];

const UNKNOWN = '_unknown';

export interface RelayMetricsOptions {
  /** Also export prom-client's process metrics (CPU, memory, event-loop lag). @default true */
  processMetrics: boolean;
}

export const DEFAULT_RELAY_METRICS: RelayMetricsOptions = { processMetrics: true };

export class RelayMetrics implements RelayObserver {
  readonly registry = new Registry();
  private core: Pick<RelayCore, 'inFlight' | 'queued' | 'knowsTool' | 'sessionCount'> | undefined;
  /** Tunnels a connector has served, in the order seen: the only tunnel label values. */
  private readonly tunnels = new Set<string>();
  private readonly connects = new Map<string, number>();
  private readonly duration: Histogram;
  private readonly queueWait: Histogram;
  private readonly overloaded: Counter;
  private readonly refusals: Counter;
  private readonly connectorUp: Gauge;
  private readonly connectorConnects: Counter;
  private readonly connectorReconnects: Counter;
  private readonly connectorDisconnects: Counter;

  constructor(options: Partial<RelayMetricsOptions> = {}) {
    const o = { ...DEFAULT_RELAY_METRICS, ...options };
    const registers = [this.registry];
    this.duration = new Histogram({
      name: 'mcp_server_operation_duration_seconds',
      help: 'MCP request duration at the relay, arrival to answer (OpenTelemetry mcp.server.operation.duration).',
      labelNames: ['tunnel', 'mcp_method_name', 'gen_ai_tool_name', 'error_type'],
      buckets: DURATION_BUCKETS,
      registers,
    });
    this.queueWait = new Histogram({
      name: 'tunnelsim_relay_queue_wait_seconds',
      help: "Time a settled request waited in its tunnel's queue for an in-flight slot (0 when it never queued).",
      labelNames: ['tunnel'],
      buckets: [0, ...DURATION_BUCKETS],
      registers,
    });
    // Scrape-time gauges read the core through these: a gauge's `collect` runs with the gauge as `this`.
    const tunnels = this.tunnels;
    const core = () => this.core;
    new Gauge({
      name: 'tunnelsim_relay_requests_in_flight',
      help: 'Requests forwarded to the connector and not yet answered, per tunnel.',
      labelNames: ['tunnel'],
      registers,
      collect() {
        for (const t of tunnels) this.set({ tunnel: t }, core()?.inFlight(t) ?? 0);
      },
    });
    new Gauge({
      name: 'tunnelsim_relay_queue_depth',
      help: "Requests waiting in the tunnel's queue for an in-flight slot.",
      labelNames: ['tunnel'],
      registers,
      collect() {
        for (const t of tunnels) this.set({ tunnel: t }, core()?.queued(t) ?? 0);
      },
    });
    new Gauge({
      name: 'tunnelsim_relay_sessions',
      help: 'Open agent sessions, over every tunnel.',
      registers,
      collect() {
        this.set(core()?.sessionCount ?? 0);
      },
    });
    this.overloaded = new Counter({ name: 'tunnelsim_relay_overloaded_total', help: 'Requests answered 429 Too Many Requests (tunnel at capacity or out of sessions).', labelNames: ['tunnel'], registers });
    this.refusals = new Counter({ name: 'tunnelsim_relay_auth_refusals_total', help: 'Requests and connector upgrades refused for their credentials or scope, by reason.', labelNames: ['kind', 'reason'], registers });
    this.connectorUp = new Gauge({ name: 'tunnelsim_relay_connector_up', help: "1 while the tunnel's connector is connected, else 0.", labelNames: ['tunnel'], registers });
    this.connectorConnects = new Counter({ name: 'tunnelsim_relay_connector_connects_total', help: 'Connector connections welcomed.', labelNames: ['tunnel'], registers });
    this.connectorReconnects = new Counter({ name: 'tunnelsim_relay_connector_reconnects_total', help: 'Connector connections welcomed after the first for the tunnel.', labelNames: ['tunnel'], registers });
    this.connectorDisconnects = new Counter({ name: 'tunnelsim_relay_connector_disconnects_total', help: 'Connector connections that ended.', labelNames: ['tunnel'], registers });
    if (o.processMetrics) collectDefaultMetrics({ register: this.registry });
  }

  /** The relay whose core the gauges read at scrape time. */
  bind(core: Pick<RelayCore, 'inFlight' | 'queued' | 'knowsTool' | 'sessionCount'>): this {
    this.core = core;
    return this;
  }

  audit(r: AuditRecord): void {
    if (AUTH_REFUSALS.has(r.status)) this.refusals.inc({ kind: r.kind, reason: r.status });
    if (r.kind !== 'agent') return;
    const tunnel = r.tunnel !== null && this.tunnels.has(r.tunnel) ? r.tunnel : UNKNOWN;
    if (r.http === 429) this.overloaded.inc({ tunnel });
    // Refusals before a request was read (auth, size, JSON) have no method: counted above, not timed.
    if (r.method === null) return;
    const method = MCP_METHODS.has(r.method) ? r.method : '_OTHER';
    const tool = r.tool !== null && tunnel !== UNKNOWN && this.core?.knowsTool(tunnel, r.tool) ? r.tool : '';
    this.duration.observe({ tunnel, mcp_method_name: method, gen_ai_tool_name: tool, error_type: r.status === 'ok' ? '' : r.status }, r.latencyMs / 1000);
    this.queueWait.observe({ tunnel }, r.queueMs / 1000);
  }

  connector(tunnel: string, up: boolean): void {
    this.tunnels.add(tunnel);
    this.connectorUp.set({ tunnel }, up ? 1 : 0);
    if (!up) return void this.connectorDisconnects.inc({ tunnel });
    const n = (this.connects.get(tunnel) ?? 0) + 1;
    this.connects.set(tunnel, n);
    this.connectorConnects.inc({ tunnel });
    if (n > 1) this.connectorReconnects.inc({ tunnel });
  }

  /** The exposition text Prometheus scrapes, and its content type. */
  async scrape(): Promise<{ contentType: string; text: string }> {
    return { contentType: this.registry.contentType, text: await this.registry.metrics() };
  }
}
