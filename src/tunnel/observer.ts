/**
 * The relay's telemetry seam: what the relay tells an observer (Prometheus metrics in metrics.ts,
 * OpenTelemetry spans in tracing.ts). Three hooks, all optional, called where the relay already does
 * the work — an admitted request, an audit record (every request settles in exactly one, and every
 * refusal has one), a connector coming or going. With no observer configured the relay makes no
 * call at all: telemetry that is off costs an `undefined` check.
 */
import type { AuditRecord, AuditSink } from '../relay/audit.js';
import type { Message } from '../relay/jsonrpc.js';

export interface RelayObserver {
  /** An agent's JSON-RPC request passed admission on `tunnel` in session `sid` (called before it is forwarded or queued). */
  request?(sid: string, tunnel: string, msg: Message): void;
  /** Every audit record the relay writes, as it writes it. */
  audit?(record: AuditRecord): void;
  /** A tunnel's connector was welcomed (`up`) or is gone. */
  connector?(tunnel: string, up: boolean): void;
}

/** Several observers as one, each told in order. */
export function observers(...list: (RelayObserver | undefined)[]): RelayObserver | undefined {
  const all = list.filter((o): o is RelayObserver => o !== undefined);
  if (all.length <= 1) return all[0];
  return {
    request: (sid, tunnel, msg) => all.forEach((o) => o.request?.(sid, tunnel, msg)),
    audit: (r) => all.forEach((o) => o.audit?.(r)),
    connector: (tunnel, up) => all.forEach((o) => o.connector?.(tunnel, up)),
  };
}

/** The audit sink with the observer told of each record after the sink has it. */
export function observedAudit(sink: AuditSink, observer: RelayObserver | undefined): AuditSink {
  const audit = observer?.audit?.bind(observer);
  if (!audit) return sink;
  return {
    write(r) {
      sink.write(r);
      audit(r);
    },
    flush: () => sink.flush?.(),
  };
}
