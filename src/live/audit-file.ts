/**
 * Audit sinks for the live relay: stdout, or an append-only file that rotates to `FILE.1` when it
 * passes `rotateBytes` (one generation kept, like logrotate's `rotate 1`). Writes are synchronous so
 * a crash loses no line; at audit volumes (one short line per request) that costs little.
 */
import { appendFileSync, renameSync, statSync } from 'node:fs';
import { auditLine, type AuditRecord, type AuditSink } from '../relay/audit.js';

export interface FileAuditOptions {
  /** Rotate when the file passes this many bytes; 0 = never. @default 0 */
  rotateBytes: number;
}

export const DEFAULT_FILE_AUDIT: FileAuditOptions = { rotateBytes: 0 };

export class FileAuditSink implements AuditSink {
  private size: number;
  private readonly opts: FileAuditOptions;

  constructor(
    private readonly file: string,
    options: Partial<FileAuditOptions> = {},
  ) {
    this.opts = { ...DEFAULT_FILE_AUDIT, ...options };
    if (!(this.opts.rotateBytes >= 0)) throw new RangeError('rotateBytes must be ≥ 0');
    try {
      this.size = statSync(file).size;
    } catch {
      this.size = 0;
    }
  }

  write(r: AuditRecord): void {
    const line = auditLine(r);
    if (this.opts.rotateBytes > 0 && this.size > 0 && this.size + line.length > this.opts.rotateBytes) {
      renameSync(this.file, `${this.file}.1`);
      this.size = 0;
    }
    appendFileSync(this.file, line);
    this.size += Buffer.byteLength(line);
  }
}

export const stdoutAuditSink: AuditSink = { write: (r) => void process.stdout.write(auditLine(r)) };

/** Keeps records in memory (tests, benchmarks). */
export class MemoryAuditSink implements AuditSink {
  readonly records: AuditRecord[] = [];
  write(r: AuditRecord): void {
    this.records.push(r);
  }
}
