/**
 * The progress line of a long run on a TTY: `simulating: 43% of 3 worlds · 12.3 s left`, rewritten
 * in place on stderr at most every `intervalMs` of wall clock (the simulation reports far more
 * often than a terminal can show). The time left assumes the rest goes as fast as what is done.
 * Only the CLI reads the wall clock; the text itself is a pure function of (share, elapsed).
 */

/** Seconds under a minute with a tenth, then minutes and seconds, then hours and minutes. */
export function formatLeft(ms: number): string {
  const s = Math.max(0, ms) / 1000;
  if (s < 59.95) return `${s.toFixed(1)} s`;
  const whole = Math.round(s);
  if (whole < 3600) return `${Math.floor(whole / 60)} min ${String(whole % 60).padStart(2, '0')} s`;
  const minutes = Math.round(whole / 60);
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, '0')} min`;
}

/**
 * The line for `fraction` (0 to 1) of the work done after `elapsedMs`. Below 1 % or in the first
 * half second there is too little to extrapolate from, so the time left is not guessed.
 */
export function progressText(fraction: number, elapsedMs: number, worlds: number): string {
  const f = Math.min(1, Math.max(0, fraction));
  const what = `simulating: ${Math.floor(f * 100)}% of ${worlds} world${worlds === 1 ? '' : 's'}`;
  if (f >= 1) return `${what} · ${formatLeft(elapsedMs)}`;
  if (f < 0.01 || elapsedMs < 500) return `${what} · estimating time left`;
  return `${what} · ${formatLeft((elapsedMs * (1 - f)) / f)} left`;
}

export interface ProgressLineOptions {
  /** Where the line goes. @default process.stderr.write */
  write?: (text: string) => void;
  /** The wall clock, ms. @default performance.now */
  now?: () => number;
  /** Least wall time between two redraws, ms. @default 100 */
  intervalMs?: number;
}

export class ProgressLine {
  private readonly write: (text: string) => void;
  private readonly now: () => number;
  private readonly intervalMs: number;
  private readonly start: number;
  private last = -Infinity;
  private width = 0;

  constructor(private readonly worlds: number, options: ProgressLineOptions = {}) {
    this.write = options.write ?? ((t) => void process.stderr.write(t));
    this.now = options.now ?? (() => performance.now());
    this.intervalMs = options.intervalMs ?? 100;
    this.start = this.now();
  }

  /** `done` worlds of the total (fractional while one runs); redraws when the interval has passed, and always at the end. */
  update(done: number): void {
    const t = this.now();
    const end = done >= this.worlds;
    if (!end && t - this.last < this.intervalMs) return;
    this.last = t;
    const text = progressText(this.worlds > 0 ? done / this.worlds : 1, t - this.start, this.worlds);
    // Spaces over what a longer previous line left behind.
    this.write(`\r${text.padEnd(this.width)}${end ? '\n' : ''}`);
    this.width = text.length;
  }
}
