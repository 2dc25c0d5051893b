/**
 * Slowness that persists across the attempts of one logical call. A heavy query or a cold cache is
 * usually slow again when retried; drawing every attempt afresh (independent attempts) makes
 * retries look better than they are.
 *
 * How it works: a Gaussian copula on the keyed uniforms. Attempt 0 draws u₀ as always; attempt
 * a > 0 draws its own uᵢ and uses Φ(ρ·Φ⁻¹(u₀) + √(1 − ρ²)·Φ⁻¹(uᵢ)). The result is still one
 * uniform per draw, so it goes through the same inverse-CDF sampler and every marginal stays the
 * scenario's distribution; it is still a function of the keys alone, so every policy sees the same
 * draw for the same attempt (common random numbers). ρ = 0 is the independent draw (uᵢ itself),
 * ρ = 1 repeats the first attempt's draw exactly, and attempt 0's draw never depends on ρ. The
 * Gaussian scores of the first and any later attempt correlate by ρ, those of two later attempts by
 * ρ² (a one-factor model on the first attempt).
 */
import { keyedFinish } from '../kernel/rng.js';
import { normalCdf, normalQuantile } from './normal.js';

/** The largest double below 1: inverse-CDF samplers take u ∈ [0, 1). */
const BELOW_ONE = 1 - 2 ** -53;

/** A later attempt's uniform, correlated by ρ ∈ [0, 1] with the first attempt's uniform `first`. */
export function correlatedUniform(first: number, fresh: number, rho: number): number {
  if (!(rho > 0)) return fresh;
  if (rho >= 1) return first;
  const z = rho * normalQuantile(first) + Math.sqrt(1 - rho * rho) * normalQuantile(fresh);
  const u = normalCdf(z);
  return u < BELOW_ONE ? u : BELOW_ONE;
}

/**
 * The keyed uniform of one attempt for `purpose`: `key` and `key0` are the hash states of
 * (seed, workflow, call, attempt) and of the same call's attempt 0 (kernel/rng.ts `keyPrefix`).
 */
export function attemptUniform(key: number, key0: number, attempt: number, purpose: number, rho: number): number {
  const u = keyedFinish(key, purpose);
  if (attempt === 0 || !(rho > 0)) return u;
  return correlatedUniform(keyedFinish(key0, purpose), u, rho);
}
