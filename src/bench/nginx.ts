/**
 * A throw-away nginx for the relay benchmark: a reverse proxy on a free loopback port in front of
 * one upstream, configured as nginx's WebSocket proxying guide says (HTTP/1.1 upstream, Upgrade and
 * Connection headers passed) plus `proxy_buffering off` so SSE streams flow, and upstream
 * keep-alive so it is measured at its best. Lives in a temp dir; `stop()` removes it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { processTreeCpuMs } from './proc-cpu.js';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const DEFAULT_NGINX = '/usr/sbin/nginx';

export interface NginxProxy {
  url: string;
  /** CPU used so far by nginx (master and workers), ms; `undefined` where /proc is not readable. */
  cpuMs(): number | undefined;
  stop(): Promise<void>;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const c = createConnection({ host: '127.0.0.1', port }, () => (c.destroy(), resolve(true)));
    c.once('error', () => resolve(false));
  });
}

/** `undefined` when no nginx binary is at `bin`. */
export async function startNginx(upstreamPort: number, path: string, bin = DEFAULT_NGINX): Promise<NginxProxy | undefined> {
  if (!existsSync(bin)) return undefined;
  const dir = mkdtempSync(join(tmpdir(), 'tunnelsim-nginx-'));
  const port = await freePort();
  writeFileSync(
    join(dir, 'nginx.conf'),
    `daemon off;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${dir}/body; proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi; uwsgi_temp_path ${dir}/uwsgi; scgi_temp_path ${dir}/scgi;
  map $http_upgrade $connection_upgrade { default upgrade; '' ''; }
  upstream mcp { server 127.0.0.1:${upstreamPort}; keepalive 64; }
  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://mcp;
      proxy_http_version 1.1;
      proxy_set_header Upgrade $http_upgrade;
      proxy_set_header Connection $connection_upgrade;
      proxy_buffering off;
      proxy_read_timeout 120s;
    }
  }
}
`,
  );
  const child: ChildProcess = spawn(bin, ['-p', dir, '-c', join(dir, 'nginx.conf')], { stdio: 'ignore' });
  let exited = false;
  child.once('exit', () => (exited = true));
  for (let i = 0; i < 200 && !exited && !(await accepts(port)); i++) await new Promise((r) => setTimeout(r, 10));
  const stop = async () => {
    if (!exited) {
      const gone = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await gone;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  if (exited) {
    await stop();
    return undefined;
  }
  return { url: `http://127.0.0.1:${port}${path}`, cpuMs: () => processTreeCpuMs(child.pid as number), stop };
}
