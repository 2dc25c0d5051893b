/** `tunnelsim token`: mints a development JWT for a tunnel, signed with `TUNNELSIM_JWT_SECRET`. */
import { TunnelsimError } from '../../errors.js';
import { parseDuration } from '../../scenario/units.js';
import { mintToken, secretFromEnv } from '../../tunnel/tokens.js';
import type { Command } from './types.js';

export const tokenCommand: Command = {
  command: 'token',
  describe: 'mint a development JWT (key from TUNNELSIM_JWT_SECRET)',
  builder: (y) =>
    y
      .option('tunnel', { type: 'string', demandOption: true, describe: 'tunnel id the token is bound to' })
      .option('scope', { choices: ['connect', 'use'] as const, demandOption: true, describe: 'connect: serve the tunnel; use: call it' })
      .option('tools', { type: 'string', describe: 'comma-separated tool allow-list (use tokens)' })
      .option('read-only', { type: 'boolean', default: false, describe: 'only tools marked readOnlyHint (use tokens)' })
      .option('ttl', { type: 'string', default: '15m', describe: 'lifetime, e.g. 90s, 15m, 2h' })
      .option('subject', { type: 'string', default: 'dev', describe: 'the sub claim' })
      .option('issuer', { type: 'string', default: 'tunnelsim', describe: 'the iss claim' })
      .option('public-url', { type: 'string', describe: "the relay's publicUrl, when its config sets one (changes the audience)" }),
  handler: async (a: { tunnel: string; scope: 'connect' | 'use'; tools?: string; readOnly: boolean; ttl: string; subject: string; issuer: string; publicUrl?: string }) => {
    const ttlMs = parseDuration(a.ttl);
    if (ttlMs === undefined || ttlMs < 1000) throw new TunnelsimError('BAD_INPUT', 'must be a duration of at least 1s, e.g. 15m', { field: '--ttl' });
    const tools = a.tools?.split(',').map((t) => t.trim()).filter(Boolean);
    if ((tools?.length || a.readOnly) && a.scope !== 'use') throw new TunnelsimError('BAD_INPUT', '--tools and --read-only apply to --scope use', { field: '--scope' });
    const token = await mintToken(secretFromEnv(), {
      tunnel: a.tunnel,
      roles: [a.scope],
      tools,
      readOnly: a.readOnly,
      ttlSec: Math.round(ttlMs / 1000),
      subject: a.subject,
      issuer: a.issuer,
      publicUrl: a.publicUrl,
    });
    process.stdout.write(`${token}\n`);
    return 0;
  },
};
