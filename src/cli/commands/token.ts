/**
 * `tunnelsim token`: mints a development JWT for a tunnel, signed with `TUNNELSIM_JWT_SECRET`, or
 * with `--credential` a connector's long-lived credential, from which the connector obtains (and
 * renews) its own short-lived connect tokens at the relay.
 */
import { chmodSync, writeFileSync } from 'node:fs';
import { TunnelsimError } from '../../errors.js';
import { formatCredential, issueCredential } from '../../relay/credentials.js';
import { isTunnelId, TUNNEL_ID_RULE } from '../../relay/tunnel-id.js';
import { parseDuration } from '../../scenario/units.js';
import { mintToken, secretFromEnv } from '../../tunnel/tokens.js';
import type { Command } from './types.js';

interface Args {
  tunnel: string;
  scope: 'connect' | 'use';
  tools?: string;
  readOnly: boolean;
  ttl?: string;
  subject?: string;
  issuer: string;
  publicUrl?: string;
  credential: boolean;
  out?: string;
}

export const tokenCommand: Command = {
  command: 'token',
  describe: 'mint a development JWT, or a connector credential (key from TUNNELSIM_JWT_SECRET)',
  builder: (y) =>
    y
      .option('tunnel', { type: 'string', demandOption: true, describe: 'tunnel id the token is bound to' })
      .option('scope', { choices: ['connect', 'use'] as const, demandOption: true, describe: 'connect: serve the tunnel; use: call it' })
      .option('tools', { type: 'string', describe: 'comma-separated tool allow-list (use tokens)' })
      .option('read-only', { type: 'boolean', default: false, describe: 'only tools marked readOnlyHint (use tokens)' })
      .option('ttl', { type: 'string', describe: 'lifetime, e.g. 90s, 15m, 2h, 30d (default: 15m; 90d for --credential)' })
      .option('subject', { type: 'string', describe: 'the sub claim (default: dev; for --credential, {tunnel}-connector)' })
      .option('issuer', { type: 'string', default: 'tunnelsim', describe: 'the iss claim' })
      .option('public-url', { type: 'string', describe: "the relay's publicUrl, when its config sets one (changes the audience)" })
      .option('credential', { type: 'boolean', default: false, describe: 'a long-lived connector credential (--scope connect) for connect --credential-file' })
      .option('out', { type: 'string', describe: 'write to this file (mode 600) instead of stdout' }),
  handler: async (a: Args) => {
    if (!isTunnelId(a.tunnel)) throw new TunnelsimError('BAD_INPUT', `must be a tunnel id: ${TUNNEL_ID_RULE}`, { field: '--tunnel' });
    const ttlMs = lifetime(a.ttl ?? (a.credential ? '90d' : '15m'));
    const tools = a.tools?.split(',').map((t) => t.trim()).filter(Boolean);
    if ((tools?.length || a.readOnly) && a.scope !== 'use') throw new TunnelsimError('BAD_INPUT', '--tools and --read-only apply to --scope use', { field: '--scope' });
    if (a.credential && a.scope !== 'connect') throw new TunnelsimError('BAD_INPUT', '--credential is for connectors: use --scope connect', { field: '--scope' });
    const secret = secretFromEnv();
    const now = Date.now();
    const text = a.credential
      ? formatCredential(issueCredential(secret, { tunnel: a.tunnel, subject: a.subject ?? `${a.tunnel}-connector`, expiresAtSec: Math.floor((now + ttlMs) / 1000) }))
      : await mintToken(
          secret,
          { tunnel: a.tunnel, roles: [a.scope], tools, readOnly: a.readOnly, ttlSec: Math.round(ttlMs / 1000), subject: a.subject ?? 'dev', issuer: a.issuer, publicUrl: a.publicUrl },
          now,
        );
    if (a.out === undefined) process.stdout.write(`${text}\n`);
    else {
      try {
        writeFileSync(a.out, `${text}\n`, { mode: 0o600 });
        chmodSync(a.out, 0o600);
      } catch (err) {
        throw new TunnelsimError('BAD_INPUT', `cannot write (${(err as NodeJS.ErrnoException).code ?? 'error'})`, { file: a.out });
      }
    }
    return 0;
  },
};

/** A lifetime: a duration (`90s`, `15m`, `2h`) or whole days (`30d`), at least one second. */
function lifetime(text: string): number {
  const days = /^(\d+)d$/.exec(text.trim());
  const ms = days ? Number(days[1]) * 86_400_000 : parseDuration(text);
  if (ms === undefined || ms < 1000) throw new TunnelsimError('BAD_INPUT', `'${text}' is not a lifetime of at least 1s, e.g. 15m, 2h or 30d`, { field: '--ttl' });
  return ms;
}
