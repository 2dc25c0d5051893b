/**
 * Audit sinks for the live relay: stderr (the default, as for any log: stdout stays the command's
 * output, and `2>relay.log` keeps a backgrounded relay's lines out of the shell), stdout, or an
 * append-only file that rotates to `FILE.1` when it passes `rotateBytes` (one generation kept, like
 * logrotate's `rotate 1`). Writes are synchronous on a descriptor kept open, so a crash loses no
 * line and a request costs one `write(2)`.
 */
import { closeSync, fstatSync, openSync, renameSync, writeSync } from 'node:fs';
import { auditLine, type AuditRecord, type AuditSink } from '../relay/audit.js';

export interface FileAuditOptions {
  /** Rotate when the file passes this many bytes; 0 = never. @default 0 */
  rotateBytes: number;
}

export const DEFAULT_FILE_AUDIT: FileAuditOptions = { rotateBytes: 0 };

export class FileAuditSink implements AuditSink {
  private size: number;
  private fd: number;
  private readonly opts: FileAuditOptions;

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
    const line = auditLine(r);
    if (this.opts.rotateBytes > 0 && this.size > 0 && this.size + line.length > this.opts.rotateBytes) {
      closeSync(this.fd);
      renameSync(this.file, `${this.file}.1`);
      this.fd = openSync(this.file, 'a');
      this.size = 0;
    }
    this.size += writeSync(this.fd, line);
  }

  close(): void {
    closeSync(this.fd);
  }
}

export const stdoutAuditSink: AuditSink = { write: (r) => void process.stdout.write(auditLine(r)) };

export const stderrAuditSink: AuditSink = { write: (r) => void process.stderr.write(auditLine(r)) };

/** Keeps records in memory (tests, benchmarks). */
export class MemoryAuditSink implements AuditSink {
  readonly records: AuditRecord[] = [];
  write(r: AuditRecord): void {
    this.records.push(r);
  }
}
