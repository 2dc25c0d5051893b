/** `tunnelsim connect`: dials out to a relay and serves one tunnel from a mock, stdio or HTTP upstream. */
import { readFileSync } from 'node:fs';
import { decodeJwt } from 'jose';
import { TunnelsimError } from '../../errors.js';
import { parseCredential, type ConnectorCredential } from '../../relay/credentials.js';
import { isTunnelId, TUNNEL_ID_RULE } from '../../relay/tunnel-id.js';
import type { UpstreamSpec } from '../../tunnel/upstream.js';
import type { ConnectorState } from '../../tunnel/connector.js';
import { loadScenario } from '../../scenario/load.js';
import type { Command } from './types.js';

interface Args {
  relay: string;
  tunnel: string;
  token?: string;
  tokenFile?: string;
  credentialFile?: string;
  mock?: string;
  stdio?: string;
  upstream?: string;
  shareUpstream?: boolean;
  otlp?: string;
}

export const connectCommand: Command = {
  command: 'connect',
  describe: 'dial out to a relay and serve a tunnel from an upstream MCP server',
  builder: (y) =>
    y
      .option('relay', { type: 'string', demandOption: true, describe: 'relay URL, e.g. http://127.0.0.1:8080' })
      .option('tunnel', { type: 'string', demandOption: true, describe: 'tunnel id' })
      .option('credential-file', { type: 'string', describe: 'long-lived connector credential (tunnelsim token --credential): renews its own connect tokens' })
      .option('token', { type: 'string', describe: 'connector JWT (scope connect); visible in ps, and the tunnel ends when it expires' })
      .option('token-file', { type: 'string', describe: 're-read on every (re)connect and before expiry, for tokens rotated by something else' })
      .option('mock', { type: 'string', describe: "serve a mock MCP server from a scenario's tool table" })
      .option('stdio', { type: 'string', describe: 'spawn this MCP server command per agent session' })
      .option('upstream', { type: 'string', describe: 'forward to this Streamable HTTP MCP URL' })
      .option('share-upstream', {
        type: 'boolean',
        describe: 'one upstream for every agent session, not one per session: a stdio server starts once (for stateless tool servers; see docs/relay.md)',
      })
      .option('otlp', { type: 'string', describe: "export the connector's hop spans to this OTLP/HTTP endpoint (default: OTEL_EXPORTER_OTLP_ENDPOINT when set)" }),
  handler: async (a: Args) => {
    // The live stack loads only for this command, so other commands start fast.
    const { Connector } = await import('../../tunnel/connector.js');
    const { stderrAuditSink } = await import('../../tunnel/audit-file.js');
    const { mockToolsFromScenario } = await import('../../tunnel/mock-scenario.js');
    const { upstreamFactory } = await import('../../tunnel/upstream.js');
    const chosen = [a.mock, a.stdio, a.upstream].filter((x) => x !== undefined).length;
    if (chosen !== 1) throw new TunnelsimError('BAD_INPUT', 'give exactly one of --mock, --stdio, --upstream');
    if ([a.token, a.tokenFile, a.credentialFile].filter((x) => x !== undefined).length !== 1) {
      throw new TunnelsimError('BAD_INPUT', 'give exactly one of --credential-file, --token, --token-file');
    }
    if (!isTunnelId(a.tunnel)) throw new TunnelsimError('BAD_INPUT', `must be a tunnel id: ${TUNNEL_ID_RULE}`, { field: '--tunnel' });
    if (!/^(https?|wss?):\/\//.test(a.relay)) throw new TunnelsimError('BAD_INPUT', 'must be an http(s):// or ws(s):// URL', { field: '--relay' });
    let spec: UpstreamSpec;
    if (a.mock !== undefined) {
      const scenario = loadScenario(a.mock);
      spec = { kind: 'mock', tools: mockToolsFromScenario(scenario), concurrency: scenario.server.concurrency };
    } else if (a.stdio !== undefined) spec = { kind: 'stdio', command: a.stdio };
    else {
      try {
        new URL(a.upstream as string);
      } catch {
        throw new TunnelsimError('BAD_INPUT', 'not a URL', { field: '--upstream' });
      }
      spec = { kind: 'http', url: a.upstream as string };
    }
    const { otlpTracesUrl } = await import('../../tunnel/otlp-endpoint.js');
    const otlp = otlpTracesUrl(a.otlp);
    const tracing = otlp ? (await import('../../tunnel/otel.js')).startTracing(otlp, 'tunnelsim-connector', undefined, (m) => process.stderr.write(`connect: warning: ${m}\n`)) : undefined;
    const shared = a.shareUpstream ? (await import('../../tunnel/shared-upstream.js')).sharedUpstream(upstreamFactory(spec)) : undefined;
    const base = shared ?? upstreamFactory(spec);
    const upstream = tracing ? (await import('../../tunnel/tracing.js')).tracedUpstream(base, tracing.tracer) : base;
    const credential = a.credentialFile === undefined ? undefined : readCredential(a.credentialFile, a.tunnel);
    const token = credential ? undefined : a.token !== undefined ? () => a.token as string : () => readTokenFile(a.tokenFile as string);
    token?.(); // an unreadable token file is bad input now, not a retry loop later
    let fatal: ((e: TunnelsimError) => void) | undefined;
    const connector = new Connector({
      relay: a.relay,
      tunnel: a.tunnel,
      ...(token ? { token } : {}),
      credential,
      upstream,
      // Frames refused by the signature checks, as JSON lines beside the relay's audit log.
      audit: stderrAuditSink,
      onState: (s) => {
        const f = fatalState(s, a);
        if (f) fatal?.(f);
        else report(s, a.relay);
      },
    });
    connector.start();
    // The shared upstream outlives every session, so it closes after the connector's sessions.
    const closeTunnel = () => connector.close().then(() => shared?.close());
    await new Promise<void>((resolve, reject) => {
      const stop = () =>
        void closeTunnel()
          .then(() => tracing?.shutdown())
          .then(resolve);
      fatal = (e) => {
        process.removeListener('SIGTERM', stop);
        process.removeListener('SIGINT', stop);
        void closeTunnel().then(() => reject(e));
      };
      process.once('SIGTERM', stop);
      process.once('SIGINT', stop);
    });
    return 0;
  },
};

/** States after which retrying cannot help: a fixed token or a credential the relay refuses. */
function fatalState(s: ConnectorState, a: Args): TunnelsimError | undefined {
  if (s.kind === 'noToken' && s.status === 401) return new TunnelsimError('RUNTIME', `${s.reason}; issue a new one with tunnelsim token --scope connect --credential`, { file: a.credentialFile });
  if (s.kind !== 'refused' || a.token === undefined || (s.status !== 401 && s.status !== 403)) return undefined;
  // A token file may yet be rotated; a fixed token never changes.
  let expired = false;
  try {
    expired = ((decodeJwt(a.token).exp as number) ?? Infinity) * 1000 <= Date.now();
  } catch {
    expired = false;
  }
  const hint = expired
    ? 'the connect token has expired; for a tunnel that stays up, give the connector a credential (tunnelsim token --scope connect --credential) and --credential-file'
    : 'mint a connect token for this tunnel';
  return new TunnelsimError('RUNTIME', `relay refused the token (HTTP ${s.status}): ${hint}`, { field: '--token' });
}

function report(s: ConnectorState, relay: string): void {
  const retry = 'retryInMs' in s ? `, retry in ${Math.round(s.retryInMs)} ms` : '';
  if (s.kind === 'connected') process.stderr.write(`connect: serving tunnel ${s.tunnel} via ${relay}\n`);
  else if (s.kind === 'refused' && s.status === 409) process.stderr.write(`connect: another connector holds the tunnel${retry}\n`);
  else if (s.kind === 'refused') process.stderr.write(`connect: relay refused (HTTP ${s.status})${retry}\n`);
  else if (s.kind === 'noToken') process.stderr.write(`connect: no connect token (${s.reason})${retry}\n`);
  else if (s.kind === 'disconnected') process.stderr.write(`connect: disconnected (${s.code || 'unreachable'}${s.reason ? `: ${s.reason}` : ''})${retry}\n`);
}

function readTokenFile(file: string): string {
  try {
    return readFileSync(file, 'utf8').trim();
  } catch (err) {
    throw new TunnelsimError('UNREADABLE_FILE', `cannot read (${(err as NodeJS.ErrnoException).code ?? 'error'})`, { file });
  }
}

function readCredential(file: string, tunnel: string): ConnectorCredential {
  const c = parseCredential(readTokenFile(file));
  if (typeof c === 'string') throw new TunnelsimError('BAD_INPUT', c, { file });
  if (c.tunnel !== tunnel) throw new TunnelsimError('BAD_INPUT', `the credential is for tunnel ${c.tunnel}, not ${tunnel}`, { file });
  if (c.expiresAtSec * 1000 <= Date.now()) throw new TunnelsimError('BAD_INPUT', 'the credential has expired; issue a new one with tunnelsim token --scope connect --credential', { file });
  return c;
}
