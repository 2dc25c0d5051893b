/**
 * The relay benchmark's upstream on stdio, for the peers leg: the same `ping` server as the HTTP
 * upstream, run as `node relay-stdio-upstream.js` by each stdio bridge under test (supergateway,
 * mcp-proxy, `tunnelsim connect --stdio`). `stdioUpstreamCommand()` is that command line.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { benchServer } from './relay-upstream.js';

const SELF_JS = fileURLToPath(new URL('./relay-stdio-upstream.js', import.meta.url));
const SELF_TS = fileURLToPath(new URL('./relay-stdio-upstream.ts', import.meta.url));

/** The shell command that starts this server: the compiled file, or the TypeScript source through tsx (tests). */
export function stdioUpstreamCommand(): string {
  const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  return existsSync(SELF_JS) ? `${q(process.execPath)} ${q(SELF_JS)}` : `${q(process.execPath)} --import tsx ${q(SELF_TS)}`;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await benchServer().connect(new StdioServerTransport());
}
