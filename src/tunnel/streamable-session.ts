/**
 * The server half of MCP Streamable HTTP for one agent session, as the relay needs it: a pipe, not
 * a server. A POSTed request opens an SSE stream (or, in JSON mode, a held response) keyed by its
 * JSON-RPC id; messages the upstream sends for that request go down that stream and its response
 * ends it. Other server-initiated messages go to the session's GET stream, or, when the client has
 * none open, down its newest POST stream (in JSON-response mode, with no stream, they are dropped,
 * as the spec allows). No resumability: a client that loses a stream loses
 * the messages on it, and the relay never treats a disconnect as a cancellation.
 *
 * Written for the relay's hot path instead of wrapping the SDK's `StreamableHTTPServerTransport`,
 * whose Web-streams adapter cost about half the relay's CPU per call in the benchmark.
 */
import type { ServerResponse } from 'node:http';
import type { Message, RequestId } from '../relay/core.js';

export interface StreamableSessionOptions {
  /** Answer a POSTed request with one JSON body instead of an SSE stream. @default false */
  jsonResponse: boolean;
}

interface Pending {
  res: ServerResponse;
  sse: boolean;
  flush: NodeJS.Timeout | undefined;
}

const HEADER_DELAY_MS = 50;

const SSE_HEADERS = { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache, no-transform', Connection: 'keep-alive', 'X-Accel-Buffering': 'no' };

export class StreamableSession {
  private readonly byId = new Map<RequestId, Pending>();
  private standalone: ServerResponse | undefined;
  private closed = false;
  /** The session ended (DELETE or `close()`). */
  onclose: (() => void) | undefined;
  /** A request's stream closed before its answer was written. */
  onabandon: ((id: RequestId) => void) | undefined;

  constructor(
    readonly sid: string,
    private readonly opts: StreamableSessionOptions,
  ) {}

  /** One POSTed message, already parsed and admitted; `deliver` gets it onward. */
  post(res: ServerResponse, msg: Message, deliver: (m: Message) => void): void {
    const isRequest = typeof msg.method === 'string' && (typeof msg.id === 'string' || typeof msg.id === 'number');
    if (!isRequest) {
      res.writeHead(202, { 'mcp-session-id': this.sid }).end();
      return deliver(msg);
    }
    const id = msg.id as RequestId;
    const sse = !this.opts.jsonResponse;
    // Headers wait up to HEADER_DELAY_MS for the first event, so a quick answer costs one socket
    // write instead of two (writes are most of the relay's CPU); a slow call gets them on time.
    const p: Pending = { res, sse, flush: undefined };
    if (sse) {
      res.writeHead(200, { ...SSE_HEADERS, 'mcp-session-id': this.sid });
      p.flush = setTimeout(() => res.flushHeaders(), HEADER_DELAY_MS);
    }
    this.byId.set(id, p);
    res.once('close', () => {
      clearTimeout(p.flush);
      if (this.byId.get(id)?.res !== res) return;
      this.byId.delete(id);
      if (!this.closed) this.onabandon?.(id);
    });
    deliver(msg);
  }

  /** The client's GET stream for server-initiated messages; one at a time (`false`: the caller answers 409). */
  get(res: ServerResponse): boolean {
    if (this.standalone) return false;
    res.writeHead(200, { ...SSE_HEADERS, 'mcp-session-id': this.sid });
    res.flushHeaders();
    this.standalone = res;
    res.once('close', () => {
      if (this.standalone === res) this.standalone = undefined;
    });
    return true;
  }

  /**
   * Sends one message from the upstream to the client, on the stream it belongs to. `raw` is the
   * message's JSON text when the caller has it, saving a re-serialisation; text with a line break
   * is not used, as it could not be one SSE `data:` line.
   */
  send(message: Message, relatedRequestId?: RequestId, raw?: string): void {
    const text = raw !== undefined && !raw.includes('\n') && !raw.includes('\r') ? raw : JSON.stringify(message);
    const isResponse = ('result' in message || 'error' in message) && message.id !== undefined;
    const key = isResponse ? (message.id as RequestId) : relatedRequestId;
    const p = key === undefined ? undefined : this.byId.get(key);
    if (isResponse) {
      if (!p) return; // its stream went away
      this.byId.delete(key as RequestId);
      clearTimeout(p.flush);
      if (p.sse) {
        p.res.end(event(text));
      } else {
        p.res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text), 'mcp-session-id': this.sid }).end(text);
      }
      return;
    }
    // A request or notification goes on its related request's stream (as a direct server sends
    // it), else on the GET stream, else — a client may open no GET stream — on the session's
    // newest open POST stream, so a sampling request made during a call still reaches the client.
    const target = p?.sse ? p : undefined;
    if (target) {
      clearTimeout(target.flush);
      target.res.write(event(text));
    } else if (this.standalone) this.standalone.write(event(text));
    else {
      const newest = this.newestStream();
      if (newest) {
        clearTimeout(newest.flush);
        newest.res.write(event(text));
      }
    }
  }

  private newestStream(): Pending | undefined {
    let last: Pending | undefined;
    for (const p of this.byId.values()) if (p.sse) last = p;
    return last;
  }

  /** The agent holds a stream open (a GET stream, or a POST awaiting its answer). */
  get streaming(): boolean {
    return this.standalone !== undefined || this.byId.size > 0;
  }

  /** An SSE comment on every open stream, so idle-timeout proxies keep long calls alive. */
  keepAlive(): void {
    for (const p of this.byId.values()) if (p.sse) p.res.write(': keepalive\n\n');
    this.standalone?.write(': keepalive\n\n');
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const p of this.byId.values()) p.res.end();
    this.byId.clear();
    this.standalone?.end();
    this.standalone = undefined;
    this.onclose?.();
  }
}

function event(json: string): string {
  return `event: message\ndata: ${json}\n\n`;
}
