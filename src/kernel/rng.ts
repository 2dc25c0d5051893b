/**
 * Random numbers, always injected. Two kinds:
 *
 * - Keyed draws: `keyedUniform(seed, a, b, c, d)` is a pure hash of its arguments, so the draw for
 *   (workflow, call, attempt, purpose) is the same whichever policy runs it, in whatever order —
 *   the common random numbers of the determinism contract (rule 3). The hash is murmur3's 32-bit
 *   finaliser applied in a chain, giving 53 uniform bits from two outputs.
 * - Sequential streams (`streamRng`) for fixed timelines (burst-loss states, reconnect jitter),
 *   seeded by a string key with seedrandom's Alea.
 */
import seedrandom from 'seedrandom';

/** A uniform source on [0, 1). */
export interface Rng {
  next(): number;
}

function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

function absorb(h: number, x: number): number {
  // Split x into two 32-bit words so keys up to 2^53 are honoured; the high word is mixed in
  // only when present (the common case, x < 2^32, costs one finaliser).
  const lo = x >>> 0;
  h = fmix32((h ^ Math.imul(lo, 0xcc9e2d51)) + 0x6b43a9b5);
  if (x >= 4294967296) h = fmix32((h ^ Math.imul((Math.floor(x / 4294967296) >>> 0) + 0x27d4eb2f, 0x1b873593)) + 0x2545f491);
  return h;
}

/** Reduces any seed (a non-negative integer) to a 32-bit hash state. */
export function seedHash(seed: number): number {
  return absorb(0x9e3779b9, seed);
}

/** A uniform draw on [0, 1) that depends only on its arguments. */
export function keyedUniform(seed: number, a: number, b: number, c: number, d: number): number {
  return keyedFinish(keyPrefix(seed, a, b, c), d);
}

/**
 * The hash state of (seed, a, b, c): compute it once for an attempt, then `keyedFinish(prefix, d)`
 * draws for each purpose d — the same value as keyedUniform(seed, a, b, c, d), for a fraction of
 * the work. The state comes back as a signed 32-bit integer: `keyedFinish` reads only its bits,
 * and half of the unsigned states lie past V8's small integers, so an attempt's stored states
 * were boxed (87 B per M/M/1 customer).
 */
export function keyPrefix(seed: number, a: number, b: number, c: number): number {
  return absorb(absorb(absorb(seed, a), b), c) | 0;
}

export function keyedFinish(prefix: number, d: number): number {
  const h = absorb(prefix, d);
  const x = fmix32(h ^ 0x68e31da4);
  const y = fmix32(h + 0x3c6ef372);
  return (x * 2097152 + (y >>> 11)) / 9007199254740992;
}

/** Derives a child seed (a 32-bit integer) from a seed and a string label. */
export function deriveSeed(seed: number, label: string): number {
  let h = seedHash(seed);
  for (let i = 0; i < label.length; i++) h = absorb(h, label.charCodeAt(i));
  return h;
}

/** A sequential stream for timelines; same key → same sequence. */
export function streamRng(seed: number, key: string): Rng {
  const alea = seedrandom.alea(`${seed}:${key}`);
  return { next: () => alea() };
}

/** Purposes of keyed draws: the fourth coordinate of a key. Stable numbers — changing one changes reports. */
export const Purpose = {
  linkAgentOut: 1,
  relayProcessOut: 2,
  linkRelayOut: 3,
  service: 4,
  linkServerBack: 5,
  relayProcessBack: 6,
  linkAgentBack: 7,
  resultTokens: 8,
  llmOutput: 9,
  jitter: 10,
  arrival: 11,
  branch: 12,
  argTokens: 13,
  think: 14,
  /** Faults use faultBase + their index in the scenario's list. */
  faultBase: 1000,
} as const;
