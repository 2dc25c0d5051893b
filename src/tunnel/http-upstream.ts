/**
 * A lean client half of MCP Streamable HTTP, for the connector's HTTP upstreams: node:http with
 * keep-alive instead of `fetch` and Web streams, which made the SDK's client transport the
 * connector's largest cost in the relay benchmark. It does what a pipe needs: POST each message;
 * read a JSON answer or an SSE stream of them; 202 for notifications; remember `Mcp-Session-Id`
 * and the negotiated protocol version and send both on later requests; open the GET stream for
 * server-initiated messages once the session is initialized (a 405 just means the server has none);
 * DELETE the session on close. No resumption: a dropped stream loses what was on it. A message the
 * server sends on a request's own SSE stream (a sampling request during a tool call, its progress)
 * is handed on with that request's id as `relatedRequestId`, so the relay can put it on the agent's
 * stream for the same request, as the server did.
 */
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage, MessageExtraInfo } from '@modelcontextprotocol/sdk/types.js';

const agents = { http: new HttpAgent({ keepAlive: true }), https: new HttpsAgent({ keepAlive: true }) };

export class HttpUpstreamTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage, extra?: MessageExtraInfo) => void;
  sessionId: string | undefined;
  private protocolVersion: string | undefined;
  private closed = false;
  private getStream: IncomingMessage | undefined;
  private readonly secure: boolean;

  /** The URL as request options, worked out once rather than on every request. */
  private readonly target: { protocol: string; hostname: string; port: string; path: string };

  constructor(private readonly url: URL) {
    this.secure = url.protocol === 'https:';
    this.target = { protocol: url.protocol, hostname: url.hostname.replace(/^\[|\]$/g, ''), port: url.port, path: `${url.pathname}${url.search}` };
  }

  async start(): Promise<void> {}

  setProtocolVersion(v: string): void {
    this.protocolVersion = v;
  }

  async send(message: JSONRPCMessage): Promise<void> {
    return this.sendRaw(message, JSON.stringify(message));
  }

  /** `send` for a message whose JSON text the caller already has (the connector's verified frame body): no re-serialisation. */
  async sendRaw(message: JSONRPCMessage, body: string): Promise<void> {
    if (this.closed) throw new Error('transport closed');
    const res = await this.request('POST', { 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream', 'Content-Length': String(Buffer.byteLength(body)) }, body);
    const sid = res.headers['mcp-session-id'];
    if (typeof sid === 'string') this.sessionId = sid;
    if ('method' in message && message.method === 'notifications/initialized' && (res.statusCode ?? 0) < 300) void this.openGetStream();
    if (res.statusCode === 202) return void res.resume();
    if (res.statusCode !== 200) {
      const text = await readAll(res);
      // A failed request still needs its answer, or the agent would wait for it forever.
      if ('id' in message && 'method' in message) {
        this.onmessage?.({ jsonrpc: '2.0', id: message.id, error: { code: -32000, message: `upstream HTTP ${res.statusCode}: ${text.slice(0, 200)}` } } as JSONRPCMessage);
      }
      return;
    }
    const type = String(res.headers['content-type'] ?? '');
    if (type.includes('text/event-stream')) {
      void this.readSse(res, 'id' in message && 'method' in message ? message.id : undefined);
    } else {
      const text = await readAll(res);
      this.deliver(text);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.getStream?.destroy();
    if (this.sessionId) await this.request('DELETE', {}).then((r) => r.resume(), () => undefined);
    this.onclose?.();
  }

  private headers(extra: Record<string, string>): Record<string, string> {
    if (this.sessionId) extra['mcp-session-id'] = this.sessionId;
    if (this.protocolVersion) extra['mcp-protocol-version'] = this.protocolVersion;
    return extra;
  }

  private request(method: string, headers: Record<string, string>, body?: string): Promise<IncomingMessage> {
    return new Promise((resolve, reject) => {
      const req = (this.secure ? httpsRequest : httpRequest)({ ...this.target, method, headers: this.headers(headers), agent: this.secure ? agents.https : agents.http }, resolve);
      req.on('error', (e) => {
        this.onerror?.(e);
        reject(e);
      });
      req.end(body);
    });
  }

  private async openGetStream(): Promise<void> {
    try {
      const res = await this.request('GET', { Accept: 'text/event-stream' });
      if (res.statusCode !== 200 || this.closed) return void res.destroy();
      this.getStream = res;
      await this.readSse(res);
    } catch {
      // No GET stream: the server simply cannot send unsolicited messages to this session.
    }
  }

  /** Reads an SSE stream as it arrives (events, not an async iterator: this runs once per call); settles when it ends. */
  private readSse(res: IncomingMessage, rel?: string | number): Promise<void> {
    res.setEncoding('utf8');
    let buf = '';
    let data: string[] = [];
    res.on('data', (chunk: string) => {
      buf = buf.length === 0 ? chunk : buf + chunk;
      let start = 0;
      let nl: number;
      while ((nl = buf.indexOf('\n', start)) >= 0) {
        const end = nl > start && buf.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
        const line = buf.slice(start, end);
        start = nl + 1;
        if (line === '') {
          if (data.length > 0) this.deliver(data.length === 1 ? data[0] : data.join('\n'), rel);
          data = [];
        } else if (line.startsWith('data:')) {
          data.push(line.slice(line.charCodeAt(5) === 32 ? 6 : 5));
        }
      }
      buf = start === buf.length ? '' : buf.slice(start);
    });
    return new Promise((resolve) => {
      res.once('end', resolve);
      res.once('close', resolve);
      res.once('error', () => resolve());
    });
  }

  private deliver(text: string, rel?: string | number): void {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      this.onerror?.(new Error('upstream sent malformed JSON'));
      return;
    }
    // `relatedRequestId` and `raw` (the message's own JSON text, so the connector need not
    // re-serialise it) are not in the SDK's MessageExtraInfo; the connector reads them from there.
    if (!Array.isArray(parsed)) return this.onmessage?.(parsed as JSONRPCMessage, { relatedRequestId: rel, raw: text } as MessageExtraInfo);
    const extra = rel === undefined ? undefined : ({ relatedRequestId: rel } as MessageExtraInfo);
    for (const m of parsed) this.onmessage?.(m as JSONRPCMessage, extra);
  }
}

function readAll(res: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    res.on('data', (c: Buffer) => chunks.push(c));
    res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    res.on('error', reject);
  });
}
