/**
 * The OTLP/JSON trace encoding (opentelemetry-proto's `ExportTraceServiceRequest` in its JSON
 * mapping): what an OTLP/HTTP exporter posts with `Content-Type: application/json`, and what the
 * OpenTelemetry Collector's file exporter writes, one request per line. Trace and span ids are hex
 * strings, enums are integers, 64-bit integers (times, `intValue`) are decimal strings — readers
 * also accept numbers, as the proto3 JSON mapping allows.
 */

export interface OtlpAnyValue {
  stringValue?: string;
  boolValue?: boolean;
  intValue?: string | number;
  doubleValue?: number;
  arrayValue?: { values?: OtlpAnyValue[] };
  kvlistValue?: { values?: OtlpKeyValue[] };
  bytesValue?: string;
}

export interface OtlpKeyValue {
  key: string;
  value?: OtlpAnyValue;
}

/** `Span.SpanKind`. */
export const SpanKind = { unspecified: 0, internal: 1, server: 2, client: 3, producer: 4, consumer: 5 } as const;
/** `Status.StatusCode`. */
export const StatusCode = { unset: 0, ok: 1, error: 2 } as const;

export interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind?: number;
  startTimeUnixNano: string | number;
  endTimeUnixNano: string | number;
  attributes?: OtlpKeyValue[];
  status?: { code?: number; message?: string };
}

export interface OtlpScopeSpans {
  scope?: { name?: string; version?: string };
  spans?: OtlpSpan[];
}

export interface OtlpResourceSpans {
  resource?: { attributes?: OtlpKeyValue[] };
  scopeSpans?: OtlpScopeSpans[];
}

export interface OtlpTraceRequest {
  resourceSpans?: OtlpResourceSpans[];
}

export type AttrValue = string | number | boolean;

/** One attribute in the JSON mapping: integers as `intValue` strings, other numbers as doubles. */
export function kv(key: string, value: AttrValue): OtlpKeyValue {
  if (typeof value === 'string') return { key, value: { stringValue: value } };
  if (typeof value === 'boolean') return { key, value: { boolValue: value } };
  return { key, value: Number.isInteger(value) ? { intValue: String(value) } : { doubleValue: value } };
}

/** The attributes as a plain map (arrays and maps are kept as their JSON text). */
export function attributeMap(attrs: readonly OtlpKeyValue[] | undefined): Map<string, AttrValue> {
  const m = new Map<string, AttrValue>();
  for (const a of attrs ?? []) {
    const v = a.value;
    if (!v) continue;
    if (v.stringValue !== undefined) m.set(a.key, v.stringValue);
    else if (v.boolValue !== undefined) m.set(a.key, v.boolValue);
    else if (v.intValue !== undefined) m.set(a.key, Number(v.intValue));
    else if (v.doubleValue !== undefined) m.set(a.key, Number(v.doubleValue));
    else if (v.arrayValue !== undefined || v.kvlistValue !== undefined) m.set(a.key, JSON.stringify(v.arrayValue ?? v.kvlistValue));
  }
  return m;
}

/** A time in ns from the epoch as ms (float). Strings keep full precision through BigInt. */
export function nanosToMs(t: string | number | undefined): number {
  if (t === undefined) return NaN;
  if (typeof t === 'number') return t / 1e6;
  if (!/^\d+$/.test(t)) return NaN;
  const n = BigInt(t);
  return Number(n / 1000n) / 1000 + Number(n % 1000n) / 1e6;
}

/** Ms (float, from the epoch) as an OTLP ns string. */
export function msToNanos(ms: number): string {
  const whole = Math.floor(ms);
  const frac = Math.round((ms - whole) * 1e6);
  return (BigInt(whole) * 1000000n + BigInt(frac)).toString();
}
