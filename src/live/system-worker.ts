/**
 * The worker thread that hosts a live world's server half (tunnel-host.ts): it rebuilds the scenario
 * from its validated data, runs the relay, connector and scenario upstream on its own event loop and
 * its own live clock (sharing the agents' time origin), and reports each successful execution back
 * so the agents' side counts duplicates and zombies.
 */
import { parentPort } from 'node:worker_threads';
import { FaultModel } from '../model/faults.js';
import type { AuditRecord } from '../relay/audit.js';
import type { SheddingSpec } from '../relay/shedding.js';
import { parseScenario } from '../scenario/load.js';
import { LiveClock } from './live-clock.js';
import { ScenarioUpstream } from './scenario-server.js';
import { startTunnelHost, type TunnelHost } from './tunnel-host.js';
import { startTracing, type Tracing } from '../tunnel/otel.js';

export type ToWorker =
  | { kind: 'start'; data: unknown; file: string; seed: number; timeScale: number; cancelHonoured: boolean; shedding?: SheddingSpec; sessions: number; otlp?: string }
  | { kind: 'origin'; at: number }
  | { kind: 'close' };

export type FromWorker =
  | { kind: 'ready'; url: string; token: string }
  | { kind: 'error'; message: string }
  | { kind: 'exec'; tag: { w: number; k: number; a: number; t: number } }
  /** The relay's audit of a tool call: session, JSON-RPC id, ms it waited in the tunnel's queue. */
  | { kind: 'audit'; session: string; id: string | number; queueMs: number }
  | { kind: 'closed'; busyMs: number };

const port = parentPort!;
let clock: LiveClock | undefined;
let upstream: ScenarioUpstream | undefined;
let host: TunnelHost | undefined;
/** This thread's span exporters, when the run exports traces. */
let tracings: Tracing[] = [];
const post = (m: FromWorker) => port.postMessage(m);

port.on('message', (m: ToWorker) => {
  if (m.kind === 'start') {
    try {
      const sc = parseScenario(m.data, m.file);
      clock = new LiveClock({ timeScale: m.timeScale });
      tracings = m.otlp ? [startTracing(m.otlp, 'tunnelsim-relay'), startTracing(m.otlp, 'tunnelsim-connector'), startTracing(m.otlp, 'tunnelsim-mcp-server')] : [];
      const tracers = m.otlp ? { relay: tracings[0].tracer, connector: tracings[1].tracer } : undefined;
      upstream = new ScenarioUpstream({ sc, seed: m.seed, faults: new FaultModel(m.seed, sc.faults, sc.toolIndex), clock, cancelHonoured: m.cancelHonoured, onExecuted: (tag) => post({ kind: 'exec', tag }), tracer: tracings[2]?.tracer });
      const onAudit = (r: AuditRecord) => {
        if (r.method === 'tools/call' && r.session !== null && r.requestId !== null) post({ kind: 'audit', session: r.session, id: r.requestId, queueMs: r.queueMs });
      };
      startTunnelHost(sc, upstream, m.sessions, onAudit, { tracers, shedding: m.shedding, timeScale: m.timeScale }).then(
        (h) => ((host = h), post({ kind: 'ready', url: h.url, token: h.token })),
        (err: unknown) => post({ kind: 'error', message: (err as Error).message }),
      );
    } catch (err) {
      post({ kind: 'error', message: (err as Error).message });
    }
  } else if (m.kind === 'origin') {
    if (clock) clock.origin = m.at;
  } else {
    const busyMs = upstream?.busyIntegral() ?? 0;
    upstream?.close();
    clock?.close();
    void (host?.close() ?? Promise.resolve())
      .then(() => Promise.allSettled(tracings.map((t) => t.shutdown())))
      .finally(() => post({ kind: 'closed', busyMs }));
  }
});
