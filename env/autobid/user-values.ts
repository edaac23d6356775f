/**
 * Opportunities of the step market drawn from bidgym's users (env/users/):
 * each impression opportunity is a visit of a user of the population, and
 * advertiser i's pValue for it is what bidgym's user model gives that user
 * for i's best ad:
 *
 *   q(u, i) = ctr(u, ad*) × cvr(u, ad*),   ad* = i's ad with the highest true click probability for u,
 *
 * the probability that an exposed ad converts (click-model.ts: persona bias,
 * interest · ad, attention over the user's history; fatigue 0). The advertiser's
 * prediction carries its own log-normal noise, pValue = min(1, q × exp(noise ×
 * ε − noise²/2)) (noise 0: the oracle prediction, bidgym's default interest
 * model), and pValueSigma = sigmaShare × pValue (the spread the market draws the
 * true conversion probability with, as for the synthetic source). Users arrive
 * uniformly at random; traffic follows the same daily pattern over the steps
 * (values.ts `stepCounts`).
 *
 * The world (catalogue of ads, one per advertiser's catalogue, and population)
 * is built once from the stream given to the constructor, and q is tabulated
 * for every (user, advertiser) then: an opportunity costs one table row, so an
 * episode of 500,000 opportunities × 48 advertisers stays a pass over arrays.
 * Users' histories and fatigue do not move within or across episodes here (the
 * step market shows no content; every visit sees the user as built).
 * Advertisers' categories play no part: their ads' topics are the catalogue's.
 */
import { makeCatalogue } from '../ads/catalogue.js';
import type { Rng } from '../rng.js';
import { UserPopulation, type PopulationArgs } from '../users/population.js';
import type { AdvertiserSpec, ValueSource } from './market.js';
import { stepCounts } from './values.js';

/** The users block of a step-level config (experiments/schema.ts `usersSchema`, defaults filled). */
export interface UserValuesWorld extends PopulationArgs {
  topics: number;
  items: number;
  adsPerAdvertiser: number;
  adSpread: number;
}

/** Parameters of {@link UserValues} besides the world. */
export interface UserValuesSpec {
  opportunities: number;
  /** Log-scale noise of one advertiser's pValue around the user model's probability. */
  noise: number;
  /** pValueSigma as a share of pValue. */
  sigmaShare: number;
  /** Amplitude of the daily traffic pattern, in [0, 1). */
  dayAmplitude: number;
}

export class UserValues implements ValueSource {
  private readonly counts: number[];
  /** q(u, i), `users × advertisers`. */
  readonly table: Float32Array;
  readonly users: number;
  readonly advertisers: number;
  private e = new Float64Array(0);

  constructor(world: UserValuesWorld, readonly spec: UserValuesSpec, steps: number, advertisers: readonly AdvertiserSpec[], rng: Rng) {
    const A = (this.advertisers = advertisers.length);
    this.counts = stepCounts(spec.opportunities, steps, spec.dayAmplitude);
    const catalogue = makeCatalogue({ topics: world.topics, items: world.items, advertisers: A, adsPerAdvertiser: world.adsPerAdvertiser, adSpread: world.adSpread }, rng.stream('catalogue'));
    const pop = new UserPopulation(world, catalogue, rng.stream('users'));
    const U = (this.users = pop.count);
    this.table = new Float32Array(U * A);
    for (let u = 0; u < U; u++) {
      for (let i = 0; i < A; i++) {
        const ad = pop.bestAd(u, i);
        this.table[u * A + i] = pop.trueCtr(u, ad) * pop.trueCvr(u, ad);
      }
    }
  }

  count(t: number): number {
    return this.counts[t]!;
  }

  /** Mean of q over users and advertisers (what the market's pValues average to with noise 0). */
  meanValue(): number {
    let s = 0;
    for (let k = 0; k < this.table.length; k++) s += this.table[k]!;
    return s / this.table.length;
  }

  fill(t: number, pValue: Float32Array, sigma: Float32Array, rng: Rng): void {
    const n = this.counts[t]!;
    const A = this.advertisers;
    const { noise, sigmaShare } = this.spec;
    const table = this.table;
    const U = this.users;
    if (noise > 0) {
      if (this.e.length < n * A) this.e = new Float64Array(n * A + 1);
      rng.normals(this.e, n * A);
    }
    const e = this.e;
    const shift = (noise * noise) / 2;
    for (let j = 0; j < n; j++) {
      const row = Math.floor(rng.next() * U) * A;
      for (let i = 0; i < A; i++) {
        let p = table[row + i]!;
        if (noise > 0) {
          p *= Math.exp(noise * e[i * n + j]! - shift);
          if (p > 1) p = 1;
        }
        pValue[i * n + j] = p;
        sigma[i * n + j] = p * sigmaShare;
      }
    }
  }
}
