/** Durations with units, as scenario files and flags write them: `250us`, `250ms`, `1.5s`, `2m`, `1h`, `6m30s`. */

const UNIT_MS: Record<string, number> = { us: 0.001, µs: 0.001, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const PART = /(\d+(?:\.\d+)?)(us|µs|ms|s|m|h)/y;

/** Parses a duration to milliseconds; returns undefined when the text is not a duration. */
export function parseDuration(text: string): number | undefined {
  const s = text.trim();
  if (s === '0') return 0;
  if (s.length === 0) return undefined;
  let total = 0;
  PART.lastIndex = 0;
  let pos = 0;
  while (pos < s.length) {
    PART.lastIndex = pos;
    const m = PART.exec(s);
    if (!m) return undefined;
    total += Number(m[1]) * UNIT_MS[m[2]];
    pos = PART.lastIndex;
  }
  return total;
}

/** Formats milliseconds for people: 0.2ms, 950ms, 1.25s, 2m 5s. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return String(ms);
  if (ms < 1) return `${+(ms * 1000).toPrecision(3)}µs`;
  if (ms < 1000) return `${+ms.toPrecision(3)}ms`;
  if (ms < 60_000) return `${+(ms / 1000).toPrecision(3)}s`;
  const m = Math.floor(ms / 60_000);
  const s = Math.round((ms - m * 60_000) / 1000);
  return s ? `${m}m ${s}s` : `${m}m`;
}
