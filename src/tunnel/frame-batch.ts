/**
 * Write coalescing for the relay↔connector WebSocket: every frame written in one event-loop turn
 * leaves in one WebSocket message, frames separated by `\n` (JSON.stringify never emits a raw line
 * break, so the separator is unambiguous). Under load this turns many small socket writes — the
 * largest CPU cost of both relay and connector — into few; a lone frame waits only until the end of
 * the current turn. A batch stays under `maxBytes` unless a single frame is larger by itself.
 */
import type { WebSocket } from 'ws';

export class FrameBatcher {
  private parts: string[] = [];
  private bytes = 0;
  private scheduled = false;

  constructor(
    private readonly ws: WebSocket,
    private readonly maxBytes: number,
  ) {}

  push(frame: string): void {
    // UTF-16 length × 3 bounds the UTF-8 size without measuring every frame.
    const est = frame.length * 3 + 1;
    if (this.parts.length > 0 && this.bytes + est > this.maxBytes) this.flush();
    this.parts.push(frame);
    this.bytes += est;
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
  }

  flush(): void {
    this.scheduled = false;
    if (this.parts.length === 0) return;
    const text = this.parts.length === 1 ? this.parts[0] : this.parts.join('\n');
    this.parts = [];
    this.bytes = 0;
    if (this.ws.readyState === this.ws.OPEN) this.ws.send(text);
  }
}

/** The frames in one WebSocket message. */
export function splitFrames(text: string): string[] {
  return text.indexOf('\n') < 0 ? [text] : text.split('\n');
}
