/**
 * Distributions as inverse-CDF samplers: `sample(u)` maps one uniform u ∈ [0, 1) to a value. One
 * uniform per draw keeps the keyed random streams aligned across policies (common random numbers)
 * and makes quantiles exact: `sample(0.99)` is the p99. Values are in the unit of the field they
 * describe (milliseconds for latencies, tokens for sizes).
 */
import { normalCdf, normalQuantile, Z99 } from './normal.js';

export interface Sampler {
  sample(u: number): number;
  /** The distribution's mean where it has a closed form (Infinity for heavy tails without one). */
  readonly mean: number;
  /**
   * Set when every draw gives this value (a constant): hot paths then skip hashing the keyed
   * uniform they would pass to `sample`, which would ignore it.
   */
  readonly fixed?: number;
}

export type DistSpec =
  | { dist: 'constant'; value: number }
  | { dist: 'uniform'; min: number; max: number }
  | { dist: 'normal'; mean: number; sd: number }
  | { dist: 'lognormal'; median: number; p99: number }
  | { dist: 'lognormal'; mu: number; sigma: number }
  | { dist: 'exponential'; mean: number }
  | { dist: 'pareto'; scale: number; shape: number }
  | { dist: 'mixture'; components: { weight: number; of: DistSpec }[] }
  | { dist: 'empirical'; samples: number[] };

export function constant(value: number): Sampler {
  return { sample: () => value, mean: value, fixed: value };
}

export function uniform(min: number, max: number): Sampler {
  const w = max - min;
  return { sample: (u) => min + u * w, mean: (min + max) / 2 };
}

/** Normal truncated at 0 (a latency or a size is never negative): inverse CDF on the truncated range. */
export function truncatedNormal(mean: number, sd: number): Sampler {
  if (sd === 0) return constant(Math.max(0, mean));
  const lo = normalCdf(-mean / sd);
  const span = 1 - lo;
  const alpha = -mean / sd;
  // Mean of a normal truncated below at 0: μ + σ φ(α) / (1 − Φ(α)).
  const phi = Math.exp(-0.5 * alpha * alpha) / Math.sqrt(2 * Math.PI);
  return {
    sample: (u) => Math.max(0, mean + sd * normalQuantile(lo + u * span)),
    mean: mean + (sd * phi) / span,
  };
}

export function lognormal(mu: number, sigma: number): Sampler {
  return {
    sample: (u) => Math.exp(mu + sigma * normalQuantile(u)),
    mean: Math.exp(mu + (sigma * sigma) / 2),
  };
}

/** Lognormal fixed by two quantiles: the median and the 99th percentile. */
export function lognormalFromQuantiles(median: number, p99: number): Sampler {
  const mu = Math.log(median);
  const sigma = (Math.log(p99) - mu) / Z99;
  return lognormal(mu, sigma);
}

export function exponential(mean: number): Sampler {
  return { sample: (u) => -mean * Math.log(1 - u), mean };
}

export function pareto(scale: number, shape: number): Sampler {
  return {
    sample: (u) => scale / Math.pow(1 - u, 1 / shape),
    mean: shape > 1 ? (shape * scale) / (shape - 1) : Infinity,
  };
}

/** A mixture: u picks the component by cumulative weight and is rescaled into it. */
export function mixture(components: { weight: number; of: Sampler }[]): Sampler {
  const total = components.reduce((s, c) => s + c.weight, 0);
  const cum: number[] = [];
  let acc = 0;
  for (const c of components) {
    acc += c.weight / total;
    cum.push(acc);
  }
  cum[cum.length - 1] = 1;
  return {
    sample: (u) => {
      let i = 0;
      while (i < cum.length - 1 && u >= cum[i]) i++;
      const lo = i === 0 ? 0 : cum[i - 1];
      return components[i].of.sample((u - lo) / (cum[i] - lo));
    },
    mean: components.reduce((s, c) => s + (c.weight / total) * c.of.mean, 0),
  };
}

/** Samples from measurements: linear interpolation between order statistics. */
export function empirical(samples: readonly number[]): Sampler {
  const xs = Float64Array.from(samples).sort();
  const n = xs.length;
  const mean = xs.reduce((s, x) => s + x, 0) / n;
  if (n === 1) return constant(xs[0]);
  return {
    sample: (u) => {
      const pos = u * (n - 1);
      const i = Math.floor(pos);
      const f = pos - i;
      return i + 1 < n ? xs[i] + f * (xs[i + 1] - xs[i]) : xs[n - 1];
    },
    mean,
  };
}

/** Builds a sampler from a validated spec. */
export function sampler(spec: DistSpec): Sampler {
  switch (spec.dist) {
    case 'constant':
      return constant(spec.value);
    case 'uniform':
      return uniform(spec.min, spec.max);
    case 'normal':
      return truncatedNormal(spec.mean, spec.sd);
    case 'lognormal':
      return 'median' in spec ? lognormalFromQuantiles(spec.median, spec.p99) : lognormal(spec.mu, spec.sigma);
    case 'exponential':
      return exponential(spec.mean);
    case 'pareto':
      return pareto(spec.scale, spec.shape);
    case 'mixture':
      return mixture(spec.components.map((c) => ({ weight: c.weight, of: sampler(c.of) })));
    case 'empirical':
      return empirical(spec.samples);
  }
}
