/**
 * The files `tunnelsim probe` writes, named the same way on both sides: the prober writes
 * `<slug>.latency.txt` and `<slug>.tokens.txt` per tool, and a scenario's `calibration.probe`
 * reads the latency files back by tool name.
 */

/** A tool name as a file-name part. */
export function probeSlug(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[.-]+/, '') || 'tool';
}

export function probeLatencyFile(tool: string): string {
  return `${probeSlug(tool)}.latency.txt`;
}

export function probeTokensFile(tool: string): string {
  return `${probeSlug(tool)}.tokens.txt`;
}
