/**
 * Presets: the published defaults of the tools engineers ship, each with where it was read. A
 * scenario's policy entry names one with `preset:` and may override any field.
 */
import type { PolicyEntry } from '../scenario/policy-schema.js';

export interface Preset {
  /** Where the default was read: a file in the tool's source or a documentation page. */
  source: string;
  entry: Omit<PolicyEntry, 'name' | 'preset'>;
}

export const PRESETS: Record<string, Preset> = {
  'mcp-sdk-default': {
    source:
      '@modelcontextprotocol/sdk 1.32.2, src/shared/protocol.ts: DEFAULT_REQUEST_TIMEOUT_MSEC = 60000; the Client does not retry',
    entry: {
      description: 'MCP TypeScript SDK defaults: 60 s request timeout, no retry, no breaker',
      timeout: { kind: 'fixed', ms: 60_000 },
      retry: { maxAttempts: 1 },
    },
  },
  'seed-guidance': {
    source: 'the published advice this project tests: timeout at 1.5 × p95, 2–3 retries with exponential backoff and jitter, a breaker that fails fast',
    entry: {
      description: 'per-tool timeout 1.5 × p95, 3 attempts with exponential backoff + full jitter, consecutive breaker',
      timeout: { perTool: { kind: 'percentile', percentile: 95, factor: 1.5 } },
      retry: { maxAttempts: 3, backoff: { kind: 'exponential', base: 200, max: 5000, jitter: 'full' }, layer: 'transport' },
      breaker: { kind: 'consecutive', threshold: 5, halfOpenAfter: 30_000 },
    },
  },
};
