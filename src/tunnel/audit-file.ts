/**
 * Audit sinks for the live relay: stderr (the default, as for any log: stdout stays the command's
 * output, and `2>relay.log` keeps a backgrounded relay's lines out of the shell), stdout, or an
 * append-only file that rotates to `FILE.1` when it passes `rotateBytes` (one generation kept, like
 * logrotate's `rotate 1`).
 *
 * Lines are batched: every record written in one event-loop turn leaves in one `write(2)` at the
 * end of that turn (`setImmediate`), instead of one system call per request — a syscall on the hot
 * path costs more than building the line. Nothing is lost on a clean stop: `flush()` writes what is
 * pending, `close()` flushes first, and a process exit (`process.exit`, the end of the event loop,
 * an uncaught exception) flushes every sink still open, synchronously. Only a hard kill (SIGKILL,
 * a native crash) can lose lines, and at most those of the turn it interrupts.
 */
import { closeSync, fstatSync, openSync, renameSync, writeSync } from 'node:fs';
import { auditLine, type AuditRecord, type AuditSink } from '../relay/audit.js';

/** Sinks with lines pending, flushed on exit. */
const open = new Set<BatchedLines>();
let exitHooked = false;

/** Collects lines and hands them to `out` once per event-loop turn, on `flush()`, or at process exit. */
class BatchedLines {
  private lines: string[] = [];
  private scheduled = false;

  constructor(private readonly out: (lines: string[]) => void) {}

  push(line: string): void {
    this.lines.push(line);
    if (this.scheduled) return;
    this.scheduled = true;
    open.add(this);
    if (!exitHooked) {
      exitHooked = true;
      process.on('exit', () => {
        for (const b of open) b.flush();
      });
    }
    setImmediate(() => this.flush());
  }

  flush(): void {
    this.scheduled = false;
    open.delete(this);
    if (this.lines.length === 0) return;
    const lines = this.lines;
    this.lines = [];
    this.out(lines);
  }
}

export interface FileAuditOptions {
  /** Rotate when the file passes this many bytes; 0 = never. @default 0 */
  rotateBytes: number;
}

export const DEFAULT_FILE_AUDIT: FileAuditOptions = { rotateBytes: 0 };

export class FileAuditSink implements AuditSink {
  private size: number;
  private fd: number;
  private readonly opts: FileAuditOptions;
  private readonly batch = new BatchedLines((lines) => this.append(lines));
  private closed = false;

  constructor(
    private readonly file: string,
    options: Partial<FileAuditOptions> = {},
  ) {
    this.opts = { ...DEFAULT_FILE_AUDIT, ...options };
    if (!(this.opts.rotateBytes >= 0)) throw new RangeError('rotateBytes must be ≥ 0');
    this.fd = openSync(file, 'a');
    this.size = fstatSync(this.fd).size;
  }

  write(r: AuditRecord): void {
    // As a write to the closed descriptor would: loudly, at the caller, not later in a callback.
    if (this.closed) throw new Error(`audit file ${this.file} is closed`);
    this.batch.push(auditLine(r));
  }

  /** Writes the pending lines now. */
  flush(): void {
    this.batch.flush();
  }

  close(): void {
    if (this.closed) return;
    this.batch.flush();
    this.closed = true;
    closeSync(this.fd);
  }

  /** One write per batch, or per run of lines between rotations (a file never passes `rotateBytes` by more than a line). */
  private append(lines: string[]): void {
    const limit = this.opts.rotateBytes;
    if (limit === 0) {
      this.size += writeSync(this.fd, lines.length === 1 ? lines[0] : lines.join(''));
      return;
    }
    let run = '';
    let runBytes = 0;
    for (const line of lines) {
      const bytes = Buffer.byteLength(line);
      if (this.size + runBytes > 0 && this.size + runBytes + bytes > limit) {
        if (run) this.size += writeSync(this.fd, run);
        run = '';
        runBytes = 0;
        closeSync(this.fd);
        renameSync(this.file, `${this.file}.1`);
        this.fd = openSync(this.file, 'a');
        this.size = 0;
      }
      run += line;
      runBytes += bytes;
    }
    if (run) this.size += writeSync(this.fd, run);
  }
}

/** A sink onto a process stream, batched per turn like the file sink (both streams are synchronous for files and pipes). */
function streamSink(stream: NodeJS.WriteStream): AuditSink & { flush(): void } {
  const batch = new BatchedLines((lines) => void stream.write(lines.join('')));
  return { write: (r) => batch.push(auditLine(r)), flush: () => batch.flush() };
}

export const stdoutAuditSink = streamSink(process.stdout);

export const stderrAuditSink = streamSink(process.stderr);

/** Keeps records in memory (tests, benchmarks). */
export class MemoryAuditSink implements AuditSink {
  readonly records: AuditRecord[] = [];
  write(r: AuditRecord): void {
    this.records.push(r);
  }
}
