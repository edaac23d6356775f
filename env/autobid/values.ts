/**
 * A synthetic source of opportunities for the step market (AuctionNet's
 * NeurIPS generator in spirit: each opportunity has a conversion propensity,
 * advertisers of the opportunity's category value it more, and each advertiser's
 * prediction carries its own noise).
 *
 * Opportunity j of step t: a category c_j (uniform), a base propensity
 * b_j = median × exp(spread × z_j); advertiser i's pValue is
 * min(1, b_j × (affinity if its category is c_j else 1) × exp(noise × ε_ij − noise²/2)),
 * and its pValueSigma is `sigmaShare × pValue`. Traffic varies over the day:
 * step t has a share ∝ 1 + dayAmplitude × sin(2π (t + ½) / steps) of the
 * episode's opportunities.
 */
import { InputError } from '../errors.js';
import type { Rng } from '../rng.js';
import type { AdvertiserSpec, ValueSource } from './market.js';

/** Parameters of {@link SyntheticValues}. */
export interface SyntheticValuesSpec {
  /** Opportunities per episode. */
  opportunities: number;
  /** Number of categories of advertisers and of opportunities. */
  categories: number;
  /** Median base conversion probability. */
  median: number;
  /** Log-scale spread of the base propensity across opportunities. */
  spread: number;
  /** Log-scale noise of one advertiser's pValue around the base. */
  noise: number;
  /** Multiplier of the pValue for advertisers of the opportunity's category. */
  affinity: number;
  /** pValueSigma as a share of pValue (spread of the true conversion probability). */
  sigmaShare: number;
  /** Amplitude of the daily traffic pattern, in [0, 1). */
  dayAmplitude: number;
}

/** Defaults of {@link SyntheticValuesSpec} (a conversion rate per exposure of about 1%, as in AuctionNet's data). */
export const SYNTHETIC_VALUES_DEFAULTS: Omit<SyntheticValuesSpec, 'opportunities' | 'categories'> = {
  median: 0.008,
  spread: 0.8,
  noise: 0.3,
  affinity: 2,
  sigmaShare: 0.1,
  dayAmplitude: 0.5,
};

/**
 * Opportunities per step: a share ∝ 1 + dayAmplitude × sin(2π (t + ½) / steps)
 * of the episode's, rounded by largest remainder so they add up exactly.
 */
export function stepCounts(opportunities: number, steps: number, dayAmplitude: number): number[] {
  const w = Array.from({ length: steps }, (_, t) => 1 + dayAmplitude * Math.sin((2 * Math.PI * (t + 0.5)) / steps));
  const sum = w.reduce((a, b) => a + b, 0);
  const raw = w.map((x) => (x / sum) * opportunities);
  const counts = raw.map(Math.floor);
  let left = opportunities - counts.reduce((a, b) => a + b, 0);
  const order = raw.map((x, t) => [x - Math.floor(x), t] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  for (let k = 0; left > 0; k++, left--) counts[order[k]![1]]!++;
  return counts;
}

/** Opportunities drawn from the model above. */
export class SyntheticValues implements ValueSource {
  private readonly counts: number[];
  private readonly cats: Int32Array;
  private z = new Float64Array(0);
  private e = new Float64Array(0);

  constructor(readonly spec: SyntheticValuesSpec, steps: number, readonly advertisers: readonly AdvertiserSpec[]) {
    if (!Number.isInteger(spec.opportunities) || spec.opportunities < steps) throw new InputError(`opportunities: expected an integer ≥ steps (${steps}), got ${spec.opportunities}`);
    if (!(spec.dayAmplitude >= 0 && spec.dayAmplitude < 1)) throw new InputError(`values.dayAmplitude: expected a number in [0, 1), got ${spec.dayAmplitude}`);
    if (!(spec.median > 0 && spec.median < 1)) throw new InputError(`values.median: expected a probability in (0, 1), got ${spec.median}`);
    this.counts = stepCounts(spec.opportunities, steps, spec.dayAmplitude);
    this.cats = Int32Array.from(advertisers, (a) => a.category);
  }

  count(t: number): number {
    return this.counts[t]!;
  }

  fill(t: number, pValue: Float32Array, sigma: Float32Array, rng: Rng): void {
    const n = this.counts[t]!;
    const A = this.cats.length;
    const s = this.spec;
    if (this.z.length < n) this.z = new Float64Array(n + 1);
    if (this.e.length < n * A) this.e = new Float64Array(n * A + 1);
    const z = this.z;
    const e = this.e;
    rng.normals(z, n);
    rng.normals(e, n * A);
    const shift = (s.noise * s.noise) / 2;
    for (let j = 0; j < n; j++) {
      const c = Math.floor(rng.next() * s.categories);
      const base = s.median * Math.exp(s.spread * z[j]!);
      for (let i = 0; i < A; i++) {
        let p = base * (this.cats[i] === c ? s.affinity : 1) * Math.exp(s.noise * e[i * n + j]! - shift);
        if (p > 1) p = 1;
        pValue[i * n + j] = p;
        sigma[i * n + j] = p * s.sigmaShare;
      }
    }
  }
}
