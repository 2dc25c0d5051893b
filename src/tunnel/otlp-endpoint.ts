/** Where OTLP/HTTP traces go, from a flag or the standard OpenTelemetry environment (no SDK loaded here). */
import { TunnelsimError } from '../errors.js';

/**
 * The OTLP/HTTP traces URL: `--otlp URL` (a base URL gets `/v1/traces`, as OTEL_EXPORTER_OTLP_ENDPOINT
 * does), else OTEL_EXPORTER_OTLP_TRACES_ENDPOINT as is, else OTEL_EXPORTER_OTLP_ENDPOINT + `/v1/traces`;
 * undefined when none is set (no tracing).
 */
export function otlpTracesUrl(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const withPath = (base: string) => (/\/v1\/traces\/?$/.test(base) ? base : `${base.replace(/\/+$/, '')}/v1/traces`);
  const check = (url: string, field: string) => {
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      throw new TunnelsimError('BAD_INPUT', `'${url}' is not a URL`, { field });
    }
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new TunnelsimError('BAD_INPUT', `'${url}' is not an http(s) URL (OTLP/HTTP)`, { field });
    return u.href;
  };
  if (flag !== undefined) return check(withPath(flag), '--otlp');
  if (env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) return check(env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT');
  if (env.OTEL_EXPORTER_OTLP_ENDPOINT) return check(withPath(env.OTEL_EXPORTER_OTLP_ENDPOINT), 'OTEL_EXPORTER_OTLP_ENDPOINT');
  return undefined;
}
