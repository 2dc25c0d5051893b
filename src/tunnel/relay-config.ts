/**
 * The relay config file (YAML), validated with strict zod objects so a typo is an error, never a
 * silent default. Secrets never live here: the HS256 key comes from `TUNNELSIM_JWT_SECRET`; a
 * config may instead name a JWKS file of public keys for asymmetric tokens. Durations are strings
 * with units (`15s`, `5m`), worded and checked as in scenario files; sizes are bytes.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseDocument } from 'yaml';
import { z } from 'zod';
import { createLocalJWKSet, type JSONWebKeySet } from 'jose';
import { TunnelsimError } from '../errors.js';
import { formatPath } from '../scenario/field-path.js';
import { durationSchema } from '../scenario/dist.js';
import type { AuditSink } from '../relay/audit.js';
import { isTunnelId, TUNNEL_ID_RULE } from '../relay/tunnel-id.js';
import { FileAuditSink, stderrAuditSink, stdoutAuditSink } from './audit-file.js';
import { DEFAULT_RELAY_SERVER, type RelayServerOptions } from './relay-options.js';
import { secretFromEnv } from './tokens.js';

/** A duration with a unit, worded as in scenario files (`heartbeat: 15` needs a unit), at least `minMs`. */
const duration = (minMs: number) => durationSchema().refine((ms) => ms >= minMs, `must be at least ${minMs} ms`);
const positiveInt = z.number().int().positive();
const tunnelId = z.string().refine(isTunnelId, `must be a tunnel id: ${TUNNEL_ID_RULE}`);

export const relayConfigSchema = z.strictObject({
  host: z.string().optional(),
  port: z.number().int().min(0).max(65535).optional(),
  publicUrl: z.url().optional(),
  issuer: z.string().min(1).optional(),
  algorithms: z.array(z.enum(['HS256', 'HS384', 'HS512', 'RS256', 'PS256', 'ES256', 'ES384', 'EdDSA'])).min(1).optional(),
  clockTolerance: duration(0).optional(),
  jwks: z.string().min(1).optional(),
  tunnels: z.array(tunnelId).optional(),
  allowedOrigins: z.array(z.url()).optional(),
  limits: z
    .strictObject({
      maxFrameBytes: z.number().int().min(1024).optional(),
      maxInFlightPerTunnel: positiveInt.optional(),
      queue: z.number().int().min(0).optional(),
      maxSessionsPerTunnel: positiveInt.optional(),
      maxSessionsPerSubject: positiveInt.optional(),
      maxRequestsPerSubject: positiveInt.optional(),
      maxBadFrames: positiveInt.optional(),
    })
    .optional(),
  heartbeat: duration(10).optional(),
  sessionIdle: duration(1).optional(),
  requestTimeout: duration(1).optional(),
  retryAfter: duration(0).optional(),
  jsonResponse: z.boolean().optional(),
  exchangeTtl: duration(1000).optional(),
  connectTokenTtl: duration(1000).optional(),
  drainTimeout: duration(0).optional(),
  audit: z
    .union([z.literal('stderr'), z.literal('stdout'), z.strictObject({ file: z.string().min(1), rotateBytes: z.number().int().min(0).optional() })])
    .optional(),
});

export type RelayConfigFile = z.infer<typeof relayConfigSchema>;

export interface RelayConfig {
  server: Omit<RelayServerOptions, 'key' | 'audit'> & { audit: AuditSink; key: RelayServerOptions['key'] };
  drainTimeoutMs: number;
}

const ms = (v: number | undefined, fallback: number) => v ?? fallback;

/** Reads and validates a config file; `undefined` gives the defaults. Env supplies the secret. */
export function loadRelayConfig(file: string | undefined, env: NodeJS.ProcessEnv = process.env): RelayConfig {
  let data: unknown = {};
  if (file !== undefined) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      throw new TunnelsimError('UNREADABLE_FILE', `cannot read (${(err as NodeJS.ErrnoException).code ?? 'error'})`, { file });
    }
    const doc = parseDocument(text, { uniqueKeys: true });
    if (doc.errors.length > 0) throw new TunnelsimError('BAD_INPUT', `not valid YAML: ${doc.errors[0].message.split('\n')[0]}`, { file });
    data = doc.toJS() ?? {};
  }
  const parsed = relayConfigSchema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = issue.code === 'unrecognized_keys' ? [...issue.path, (issue as { keys: string[] }).keys[0]] : issue.path;
    const message = issue.code === 'unrecognized_keys' ? 'unknown key' : issue.message;
    throw new TunnelsimError('BAD_INPUT', message, { file: file ?? '<config>', field: formatPath(path) });
  }
  const c = parsed.data;
  const base = file ? dirname(resolve(file)) : process.cwd();
  let key: RelayServerOptions['key'];
  let mintSecret: Uint8Array | undefined;
  if (c.jwks) {
    const jwksFile = resolve(base, c.jwks);
    let jwks: JSONWebKeySet;
    try {
      jwks = JSON.parse(readFileSync(jwksFile, 'utf8')) as JSONWebKeySet;
      key = createLocalJWKSet(jwks);
    } catch (err) {
      throw new TunnelsimError('BAD_INPUT', `cannot load JWKS ${jwksFile}: ${(err as Error).message}`, { file: file ?? '<config>', field: 'jwks' });
    }
    // Token exchange still needs a symmetric key to mint with; it is optional beside a JWKS.
    mintSecret = env.TUNNELSIM_JWT_SECRET ? secretFromEnv(env) : undefined;
  } else {
    key = mintSecret = secretFromEnv(env);
  }
  // Stderr by default, as any log: stdout stays free, and `2>relay.log` keeps a backgrounded relay quiet.
  const audit: AuditSink =
    c.audit === undefined || c.audit === 'stderr'
      ? stderrAuditSink
      : c.audit === 'stdout'
        ? stdoutAuditSink
        : new FileAuditSink(resolve(base, c.audit.file), { rotateBytes: c.audit.rotateBytes ?? 0 });
  const d = DEFAULT_RELAY_SERVER;
  return {
    server: {
      ...d,
      host: c.host ?? d.host,
      port: c.port ?? 8080,
      key,
      mintSecret,
      auth: {
        ...(c.issuer ? { issuer: c.issuer } : {}),
        ...(c.algorithms ? { algorithms: c.algorithms } : c.jwks ? { algorithms: ['RS256', 'PS256', 'ES256', 'EdDSA'] } : {}),
        ...(c.clockTolerance !== undefined ? { clockToleranceSec: c.clockTolerance / 1000 } : {}),
        ...(c.publicUrl ? { publicUrl: c.publicUrl } : {}),
      },
      tunnels: c.tunnels,
      allowedOrigins: c.allowedOrigins ?? d.allowedOrigins,
      maxFrameBytes: c.limits?.maxFrameBytes ?? d.maxFrameBytes,
      maxInFlightPerTunnel: c.limits?.maxInFlightPerTunnel ?? d.maxInFlightPerTunnel,
      queue: c.limits?.queue ?? d.queue,
      maxSessionsPerTunnel: c.limits?.maxSessionsPerTunnel ?? d.maxSessionsPerTunnel,
      maxSessionsPerSubject: c.limits?.maxSessionsPerSubject ?? d.maxSessionsPerSubject,
      maxRequestsPerSubject: c.limits?.maxRequestsPerSubject ?? d.maxRequestsPerSubject,
      requestTimeoutMs: ms(c.requestTimeout, d.requestTimeoutMs),
      maxBadFrames: c.limits?.maxBadFrames ?? d.maxBadFrames,
      heartbeatMs: ms(c.heartbeat, d.heartbeatMs),
      sessionIdleMs: ms(c.sessionIdle, d.sessionIdleMs),
      retryAfterSec: Math.max(1, Math.ceil(ms(c.retryAfter, d.retryAfterSec * 1000) / 1000)),
      jsonResponse: c.jsonResponse ?? d.jsonResponse,
      exchangeTtlSec: Math.round(ms(c.exchangeTtl, d.exchangeTtlSec * 1000) / 1000),
      connectTokenTtlSec: Math.round(ms(c.connectTokenTtl, d.connectTokenTtlSec * 1000) / 1000),
      audit,
    },
    drainTimeoutMs: ms(c.drainTimeout, 10_000),
  };
}
