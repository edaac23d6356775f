/**
 * What the learning bidders read from an observation, and how they act on it.
 *
 * - {@link FeatureEncoder}: picks named observation features and scales them to
 *   roughly [0, 1] (value-like features are divided by the value scale), for
 *   networks and linear models. Its {@link EncoderSpec} is plain data, written into
 *   policy files so that a strategy team knows which features a policy reads and
 *   how they are normalised.
 * - {@link StateGrid}: buckets the encoded features into one discrete state index
 *   (tabular Q-learning).
 * - {@link multiplierGrid}: the action set of every learner: bid = multiplier ×
 *   `value` (a shading factor on the truthful bid).
 *
 * Nothing here draws random numbers or keeps state between calls.
 */
import { InputError } from '../env/errors.js';
import { OBS, OBS_FEATURES, type ObsFeature } from '../env/observation.js';
import type { AgentContext, Observation } from './core.js';

/** How one observation feature is scaled: `clip(x / divideBy, clipLow, clipHigh)`. */
export interface FeatureNormalisation {
  name: ObsFeature;
  /** Unit of the raw feature (as in OBS_FEATURES). */
  unit: string;
  /** Raw feature is divided by this (value-like features: the value scale). */
  divideBy: number;
  /** Range the scaled feature is clipped to. */
  clipLow: number;
  clipHigh: number;
}

/** Plain-data description of a {@link FeatureEncoder}. */
export interface EncoderSpec {
  features: FeatureNormalisation[];
}

/** Observation features measured in currency: scaled by the value scale. */
const CURRENCY_FEATURES: ReadonlySet<string> = new Set(['value', 'valuePerEvent', 'reservePrice']);
/** Count features (page views, exposures): scaled by a typical size. */
const COUNT_SCALE: Partial<Record<ObsFeature, number>> = { sessionDepth: 10, fatigue: 5 };

/**
 * The default features of a learner: the value, plus the budget and time left
 * when the bidder has a budget that it does not pace (budget.ts) but learns to
 * spend from its state.
 */
export function defaultFeatures(ctx: Pick<AgentContext, 'budget'>, pacing: boolean): ObsFeature[] {
  return ctx.budget === null || pacing ? ['value'] : ['value', 'budgetLeft', 'timeLeft'];
}

/**
 * Normalisation of each named feature for a bidder whose values are about `valueScale`.
 *
 * @param names observation feature names (see OBS_FEATURES)
 * @param valueScale rough upper bound of `value`, currency units (> 0)
 * @example encoderSpec(['value', 'budgetLeft'], 2)
 */
export function encoderSpec(names: readonly string[], valueScale: number): EncoderSpec {
  if (!(valueScale > 0) || !Number.isFinite(valueScale)) throw new RangeError(`encoderSpec: valueScale must be a positive number, got ${valueScale}`);
  if (names.length === 0) throw new InputError('encoderSpec: features must name at least one observation feature');
  const seen = new Set<string>();
  const features = names.map((name): FeatureNormalisation => {
    const spec = OBS_FEATURES.find((f) => f.name === name);
    if (!spec) throw new InputError(`features: unknown observation feature "${name}"; expected one of ${OBS_FEATURES.map((f) => f.name).join(', ')}`);
    if (seen.has(name)) throw new InputError(`features: "${name}" is listed twice`);
    seen.add(name);
    const n = name as ObsFeature;
    if (CURRENCY_FEATURES.has(n)) return { name: n, unit: spec.unit, divideBy: valueScale, clipLow: 0, clipHigh: 4 };
    const count = COUNT_SCALE[n];
    if (count !== undefined) return { name: n, unit: spec.unit, divideBy: count, clipLow: 0, clipHigh: 4 };
    return { name: n, unit: spec.unit, divideBy: 1, clipLow: spec.low, clipHigh: spec.high };
  });
  return { features };
}

/** Encodes observations into a small vector of scaled features. */
export class FeatureEncoder {
  /** Number of encoded features. */
  readonly size: number;
  private readonly index: Int32Array;
  private readonly divide: Float64Array;
  private readonly low: Float64Array;
  private readonly high: Float64Array;

  constructor(readonly spec: EncoderSpec) {
    this.size = spec.features.length;
    this.index = Int32Array.from(spec.features, (f) => {
      const i = (OBS as Record<string, number>)[f.name];
      if (i === undefined) throw new RangeError(`features: unknown observation feature "${f.name}"`);
      return i;
    });
    this.divide = Float64Array.from(spec.features, (f) => f.divideBy);
    this.low = Float64Array.from(spec.features, (f) => f.clipLow);
    this.high = Float64Array.from(spec.features, (f) => f.clipHigh);
  }

  /** Writes the encoded features of `o` into `out[offset…offset+size)`. */
  encode(o: Observation, out: Float64Array, offset = 0): void {
    for (let k = 0; k < this.size; k++) {
      const x = o[this.index[k]!]! / this.divide[k]!;
      out[offset + k] = x < this.low[k]! ? this.low[k]! : x > this.high[k]! ? this.high[k]! : x;
    }
  }
}

/** Plain-data description of a {@link StateGrid}. */
export interface StateGridSpec {
  /** Buckets per encoded feature (same order as the encoder's features), each ≥ 1. */
  buckets: number[];
  /** Range split into equal buckets, per feature (values outside go to the end buckets). */
  low: number[];
  high: number[];
}

/**
 * Default buckets for a feature: value-like features get `valueBuckets` buckets
 * over [0, 1.5] of the value scale; fractions get `fractionBuckets` over [0, 1].
 */
export function defaultGrid(encoder: EncoderSpec, valueBuckets: number, fractionBuckets: number): StateGridSpec {
  const buckets: number[] = [];
  const low: number[] = [];
  const high: number[] = [];
  for (const f of encoder.features) {
    const currency = CURRENCY_FEATURES.has(f.name);
    buckets.push(currency ? valueBuckets : fractionBuckets);
    low.push(f.clipLow);
    high.push(currency ? 1.5 : Math.min(f.clipHigh, Number.isFinite(f.clipHigh) ? f.clipHigh : 1));
  }
  return { buckets, low, high };
}

/** Maps encoded features to one discrete state in [0, size). */
export class StateGrid {
  /** Number of states (product of the buckets). */
  readonly size: number;
  constructor(readonly spec: StateGridSpec) {
    const { buckets, low, high } = spec;
    if (buckets.length !== low.length || low.length !== high.length) throw new RangeError('StateGrid: buckets, low and high must have the same length');
    buckets.forEach((b, k) => {
      if (!Number.isInteger(b) || b < 1) throw new InputError(`buckets[${k}]: expected an integer ≥ 1, got ${b}`);
      if (!(high[k]! > low[k]!)) throw new RangeError(`StateGrid: feature ${k} has an empty range [${low[k]}, ${high[k]}]`);
    });
    this.size = buckets.reduce((a, b) => a * b, 1);
  }

  /** State index of the encoded features `x` (row-major over the features). */
  index(x: Float64Array): number {
    const { buckets, low, high } = this.spec;
    let s = 0;
    for (let k = 0; k < buckets.length; k++) {
      const n = buckets[k]!;
      let b = Math.floor(((x[k]! - low[k]!) / (high[k]! - low[k]!)) * n);
      b = b < 0 ? 0 : b >= n ? n - 1 : b;
      s = s * n + b;
    }
    return s;
  }
}

/**
 * The bid multipliers a learner chooses from, `[0, step, 2·step, …, max]` by default.
 *
 * @param max largest multiplier (> 0)
 * @param count number of multipliers (≥ 2)
 * @example multiplierGrid(1.5, 16) // 0, 0.1, …, 1.5
 */
export function multiplierGrid(max: number, count: number): number[] {
  if (!(max > 0)) throw new InputError(`multipliers: max must be > 0, got ${max}`);
  if (!Number.isInteger(count) || count < 2) throw new InputError(`multipliers: count must be an integer ≥ 2, got ${count}`);
  return Array.from({ length: count }, (_, i) => Math.round(((max * i) / (count - 1)) * 1e9) / 1e9);
}

/** Checks an explicit multiplier list (non-empty, finite, ≥ 0, increasing). */
export function checkMultipliers(m: readonly number[], field = 'multipliers'): number[] {
  if (m.length < 2) throw new InputError(`${field}: expected at least 2 multipliers, got ${m.length}`);
  m.forEach((x, i) => {
    if (!Number.isFinite(x) || x < 0) throw new InputError(`${field}[${i}]: expected a finite number ≥ 0, got ${x}`);
    if (i > 0 && !(x > m[i - 1]!)) throw new InputError(`${field}[${i}]: expected increasing multipliers, got ${m[i - 1]} then ${x}`);
  });
  return [...m];
}

/**
 * The bid of action `a` at value `v` (v' with a budget: learner/budget-pacer.ts):
 * the first actions are the multipliers (bid = m × v), the rest the bid levels
 * in currency, each capped at v (a bid above the value is dominated by bidding
 * the value in first price and never needed in second price; the cap also keeps
 * bid/value ≤ the largest multiplier).
 */
export function actionBid(multipliers: readonly number[], levelBids: readonly number[], a: number, v: number): number {
  const M = multipliers.length;
  return a < M ? multipliers[a]! * v : Math.min(levelBids[a - M]!, v);
}

/**
 * Checks a list of bid levels (finite, > 0, increasing; may be empty); with
 * `max`, each also ≤ max (the price levels' quantiles, in (0, 1]).
 */
export function checkLevels(m: readonly number[], field = 'bidLevels', max = Infinity): number[] {
  m.forEach((x, i) => {
    if (!Number.isFinite(x) || x <= 0 || x > max) throw new RangeError(`${field}[${i}]: expected a finite number > 0${max < Infinity ? ` and ≤ ${max}` : ''}, got ${x}`);
    if (i > 0 && !(x > m[i - 1]!)) throw new RangeError(`${field}[${i}]: expected increasing values, got ${m[i - 1]} then ${x}`);
  });
  return [...m];
}

/** Index of the largest entry of `q[offset…offset+n)` (the first one on ties). */
export function argmax(q: ArrayLike<number>, offset: number, n: number): number {
  let best = 0;
  let bestQ = q[offset]!;
  for (let a = 1; a < n; a++) {
    const v = q[offset + a]!;
    if (v > bestQ) {
      bestQ = v;
      best = a;
    }
  }
  return best;
}

/** The truthful bid of an observation (its `value`, ≥ 0). */
export function valueOf(o: Observation): number {
  const v = o[OBS.value]!;
  return v > 0 ? v : 0;
}

/**
 * Context vector of the linear bandits: `[1, x_1, …, x_k]`, followed by
 * `[x_1², …, x_k²]` when `degree` is 2, and `[x_1³, …, x_k³]` when it is 3
 * (rewards in auctions grow faster than the value: a multiplier m on value v
 * wins surplus (1 − m)·v with a probability that itself grows with m·v).
 *
 * @param x encoded features (k numbers)
 * @param k number of features
 * @param degree 1, 2 or 3
 * @param out receives `1 + k·degree` numbers
 */
export function polynomialContext(x: Float64Array, k: number, degree: 1 | 2 | 3, out: Float64Array): void {
  out[0] = 1;
  for (let i = 0; i < k; i++) out[1 + i] = x[i]!;
  if (degree >= 2) for (let i = 0; i < k; i++) out[1 + k + i] = x[i]! * x[i]!;
  if (degree === 3) for (let i = 0; i < k; i++) out[1 + 2 * k + i] = x[i]! * x[i]! * x[i]!;
}
