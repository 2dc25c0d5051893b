/**
 * The one error type that crosses the edges. `code` is stable; `exitCode` follows DESIGN.md:
 * 1 a threshold or regression failed, 2 bad input, 3 a runtime failure.
 */
export type ErrorCode =
  | 'BAD_INPUT'
  | 'INVALID_SCENARIO'
  | 'UNREADABLE_FILE'
  | 'INVALID_REPORT'
  | 'THRESHOLD_FAILED'
  | 'RUNTIME';

const EXIT: Record<ErrorCode, number> = {
  BAD_INPUT: 2,
  INVALID_SCENARIO: 2,
  UNREADABLE_FILE: 2,
  INVALID_REPORT: 2,
  THRESHOLD_FAILED: 1,
  RUNTIME: 3,
};

export class TunnelsimError extends Error {
  readonly code: ErrorCode;
  readonly exitCode: number;
  /** The file the error concerns, when there is one. */
  readonly file?: string;
  /** The field path inside the file, e.g. `policies[2].retry.maxAttempts`. */
  readonly field?: string;

  constructor(code: ErrorCode, message: string, where: { file?: string; field?: string } = {}) {
    super(message);
    this.name = 'TunnelsimError';
    this.code = code;
    this.exitCode = EXIT[code];
    this.file = where.file;
    this.field = where.field;
  }

  /** The one line the CLI prints: `file: field: message`. */
  line(): string {
    return [this.file, this.field, this.message].filter((s) => s !== undefined && s !== '').join(': ');
  }
}
