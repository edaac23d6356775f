/**
 * A step-level auto-bidding market of AuctionNet's shape: advertisers with a
 * budget and a target CPA, episodes of `steps` decision steps, each step a batch
 * of impression opportunities, `slots` ad slots sold by GSP with a reserve price
 * and exposure probabilities.
 *
 * One opportunity, as in AuctionNet's BiddingEnv:
 * - every advertiser still in the episode bids α_i × pValue_ij (its step factor
 *   times its predicted conversion probability), capped at its remaining budget,
 *   so that no payment can exceed the budget left; bids below the reserve do not
 *   take part;
 * - the k highest bids win slots 1..k (ties go to the lower advertiser index);
 *   the winner of slot k is priced at the next bid down (GSP), or the reserve;
 * - slot k is exposed with probability `exposure[k]`, in a cascade (one uniform
 *   u per opportunity, slot k exposed iff u < exposure[k]: exposure must be
 *   non-increasing, so slot k+1 is never shown when slot k is not — AuctionNet's
 *   "slot continuity"); the price is charged only when exposed;
 * - an exposed ad converts with its true probability, drawn around pValue with
 *   the spread pValueSigma (clamped to [0, 1]); an unexposed ad never converts.
 * - the least winning cost of the opportunity is the highest bid that won no
 *   slot (AuctionNet: the 4th highest bid), or the reserve.
 *
 * Opportunities come from a {@link ValueSource}; all random draws of a step
 * (pValues, exposure, conversions) are made before anyone bids and do not
 * depend on the bids, so two runs with different agents face the same
 * opportunities and the same luck (common random numbers).
 */
import { InputError } from '../errors.js';
import type { Rng } from '../rng.js';
import type { AutoBidder, StepObservation } from './core.js';
import { bindingCpa, targetScore, type Targets } from './score.js';
import { STATE_SIZE, StepTracker, type AutoBidContext, type StepFeedback } from './state.js';

/** One advertiser of the market. */
export interface AdvertiserSpec {
  id: string;
  /** Episode budget, currency units. */
  budget: number;
  /** Target CPA, currency units. */
  cpa: number;
  /** Industry category, 0-based (opportunities of a category convert better for its advertisers). */
  category: number;
  /** Target ROI (value / cost ≥ roi), optional; needs conversionValue. */
  roi?: number;
  /** Value of one conversion, currency units (with roi). */
  conversionValue?: number;
}

/** Where the opportunities of a step come from. */
export interface ValueSource {
  /** Number of opportunities in step t (same for every episode of a seed is not required). */
  count(t: number): number;
  /**
   * Fills the pValues and their uncertainty for step t: advertiser-major,
   * `pValue[i * n + j]` for advertiser i and opportunity j, n = count(t).
   */
  fill(t: number, pValue: Float32Array, sigma: Float32Array, rng: Rng): void;
}

/** The market's mechanics. */
export interface StepMarketSpec {
  steps: number;
  /** Slots per opportunity (GSP). */
  slots: number;
  /** Exposure probability per slot, non-increasing, in [0, 1]. */
  exposure: number[];
  /** Reserve price, currency units. */
  reserve: number;
  /** Score exponent β (AuctionNet: 2). */
  beta: number;
  advertisers: AdvertiserSpec[];
}

/** Episode outcome of one advertiser. */
export interface AdvertiserResult {
  id: string;
  budget: number;
  target: number;
  cost: number;
  conversions: number;
  /** Σ pValue of the exposed wins. */
  expectedConversions: number;
  /** Realised CPA (0 without cost, ∞ with cost and no conversion). */
  cpa: number;
  /** Realised ROI, conversions × conversionValue / cost (∞ without cost); only with an ROI target. */
  roi?: number;
  /** AuctionNet's score: conversions × penalty (× the ROI target's penalty when there is one). */
  score: number;
  penalty: number;
  /** Share of the budget spent. */
  budgetSpent: number;
  wins: number;
  exposures: number;
  opportunities: number;
  /** The factor α chosen at each step played. */
  factors: number[];
}

/** One step of the market, for loggers (views valid only during the callback). */
export interface StepView {
  t: number;
  n: number;
  /** Remaining budget of each advertiser at the start of the step. */
  remainingAtStart: Float64Array;
  /** Whether each advertiser took part in the step. */
  active: Uint8Array;
  /** True when the advertiser's episode ended with this step (last step or budget exhausted). */
  endsHere: Uint8Array;
  factor: Float64Array;
  /** Advertiser-major arrays, `[i * n + j]`. */
  pValue: Float32Array;
  sigma: Float32Array;
  bid: Float64Array;
  slot: Uint8Array;
  /** GSP price of the slot won (charged only if exposed; AuctionNet's `cost` column), 0 without a slot. */
  price: Float64Array;
  /** Money charged: price × exposed. */
  cost: Float64Array;
  exposed: Uint8Array;
  conversion: Uint8Array;
  /** Per opportunity. */
  leastWinningCost: Float64Array;
}

/** Checks a market spec; throws an InputError naming the field. */
export function checkStepMarketSpec(s: StepMarketSpec): void {
  if (!Number.isInteger(s.steps) || s.steps < 1) throw new InputError(`steps: expected a positive integer, got ${s.steps}`);
  if (!Number.isInteger(s.slots) || s.slots < 1) throw new InputError(`slots: expected a positive integer, got ${s.slots}`);
  if (s.exposure.length !== s.slots) throw new InputError(`exchange.exposure: expected ${s.slots} probabilities (one per slot), got ${s.exposure.length}`);
  s.exposure.forEach((e, k) => {
    if (!(e >= 0 && e <= 1)) throw new InputError(`exchange.exposure[${k}]: expected a probability in [0, 1], got ${e}`);
    if (k > 0 && e > s.exposure[k - 1]!) throw new InputError(`exchange.exposure[${k}]: must not exceed the slot above (${s.exposure[k - 1]}), got ${e}`);
  });
  if (!(s.reserve >= 0)) throw new InputError(`exchange.reservePrice: expected a number ≥ 0, got ${s.reserve}`);
  if (!(s.beta >= 0)) throw new InputError(`beta: expected a number ≥ 0, got ${s.beta}`);
  if (s.advertisers.length < 1) throw new InputError('bidders: expected at least one advertiser');
  s.advertisers.forEach((a, i) => {
    if (!(a.budget > 0)) throw new InputError(`bidders[${i}].budget: expected a positive number, got ${a.budget}`);
    if (!(a.cpa > 0)) throw new InputError(`bidders[${i}].cpa: expected a positive number, got ${a.cpa}`);
    if (a.roi !== undefined && !(a.roi > 0)) throw new InputError(`bidders[${i}].roi: expected a positive number, got ${a.roi}`);
    if (a.roi !== undefined && !((a.conversionValue ?? 0) > 0)) throw new InputError(`bidders[${i}].conversionValue: expected a positive number with roi, got ${a.conversionValue}`);
  });
}

/** The targets of an advertiser (the ROI pair only when it has one). */
export function targetsOf(a: AdvertiserSpec): Targets {
  return a.roi === undefined ? { cpa: a.cpa } : { cpa: a.cpa, roi: a.roi, conversionValue: a.conversionValue! };
}

/** What an advertiser's auto-bidder is told: its budget, the CPA it steers to (binding), steps, and its stated targets when an ROI target is set. */
export function contextOf(a: AdvertiserSpec, steps: number): AutoBidContext {
  const t = targetsOf(a);
  return { budget: a.budget, cpa: bindingCpa(t), steps, ...(t.roi !== undefined ? { targets: t } : {}) };
}

/** Reusable per-step buffers, grown as needed. */
class Buffers {
  cap = 0;
  pValue = new Float32Array(0);
  sigma = new Float32Array(0);
  bid = new Float64Array(0);
  slot = new Uint8Array(0);
  price = new Float64Array(0);
  cost = new Float64Array(0);
  exposed = new Uint8Array(0);
  conversion = new Uint8Array(0);
  lwc = new Float64Array(0);
  u = new Float64Array(0);
  v = new Float64Array(0);
  z = new Float64Array(0);
  ensure(n: number, A: number, K: number): void {
    if (n <= this.cap) return;
    this.cap = n;
    this.pValue = new Float32Array(n * A);
    this.sigma = new Float32Array(n * A);
    this.bid = new Float64Array(n * A);
    this.slot = new Uint8Array(n * A);
    this.price = new Float64Array(n * A);
    this.cost = new Float64Array(n * A);
    this.exposed = new Uint8Array(n * A);
    this.conversion = new Uint8Array(n * A);
    this.lwc = new Float64Array(n);
    this.u = new Float64Array(n);
    this.v = new Float64Array(n * K);
    this.z = new Float64Array(n * K + 1);
  }
}

/**
 * Plays one episode.
 * @param bidders one per advertiser, in the spec's order
 * @param rng the episode's stream (opportunities and luck: "market"; each bidder's own: "bidder:<id>")
 * @param onStep called after every step with its full record (loggers)
 */
export function runStepEpisode(spec: StepMarketSpec, source: ValueSource, bidders: readonly AutoBidder[], rng: Rng, onStep?: (v: StepView) => void): AdvertiserResult[] {
  const ep = new StepEpisode(spec, source, bidders, rng, onStep);
  while (!ep.done) {
    ep.prepare();
    ep.play();
  }
  return ep.results();
}

/**
 * One episode, a step at a time: {@link prepare} draws the step's
 * opportunities and computes every active bidder's observation; {@link play}
 * asks the bidders for their factors and runs the step's auctions. (The
 * Gymnasium-style env sets its agent's factor between the two.)
 */
export class StepEpisode {
  /** Index of the next step to play. */
  t = 0;
  private readonly A: number;
  private readonly K: number;
  private readonly marketRng: Rng;
  private readonly bidderRngs: Rng[];
  private readonly ctxs: AutoBidContext[];
  private readonly trackers: StepTracker[];
  private readonly factors: number[][];
  private readonly exposures: Float64Array;
  private readonly remaining: Float64Array;
  private readonly active: Uint8Array;
  private readonly endsHere: Uint8Array;
  private readonly alive: Uint8Array;
  private readonly remainingAtStart: Float64Array;
  private readonly factor: Float64Array;
  private readonly obs: (StepObservation | null)[];
  private readonly states: Float64Array[];
  private readonly buf = new Buffers();
  private readonly topIdx: Int32Array;
  private readonly topBid: Float64Array;
  private readonly minLeft: number;
  private n = 0;
  private prepared = false;

  constructor(
    readonly spec: StepMarketSpec,
    private readonly source: ValueSource,
    private readonly bidders: readonly AutoBidder[],
    rng: Rng,
    private readonly onStep?: (v: StepView) => void,
  ) {
    const A = (this.A = spec.advertisers.length);
    if (bidders.length !== A) throw new RangeError(`runStepEpisode: ${bidders.length} bidders for ${A} advertisers`);
    const K = (this.K = spec.slots);
    this.marketRng = rng.stream('market');
    this.bidderRngs = spec.advertisers.map((a) => rng.stream(`bidder:${a.id}`));
    this.ctxs = spec.advertisers.map((a) => contextOf(a, spec.steps));
    this.trackers = this.ctxs.map((c) => new StepTracker(c));
    bidders.forEach((b, i) => b.reset(this.ctxs[i]!));
    this.factors = spec.advertisers.map(() => []);
    this.exposures = new Float64Array(A);
    this.remaining = Float64Array.from(spec.advertisers, (a) => a.budget);
    this.active = new Uint8Array(A);
    this.endsHere = new Uint8Array(A);
    this.alive = new Uint8Array(A).fill(1);
    this.remainingAtStart = new Float64Array(A);
    this.factor = new Float64Array(A);
    this.obs = new Array(A).fill(null);
    this.states = spec.advertisers.map(() => new Float64Array(STATE_SIZE));
    this.topIdx = new Int32Array(K + 1);
    this.topBid = new Float64Array(K + 1);
    this.minLeft = Math.max(spec.reserve, 1e-9);
  }

  /** True once every step was played. */
  get done(): boolean {
    return this.t >= this.spec.steps;
  }

  /** Whether advertiser i still plays (budget left, episode not over). */
  isAlive(i: number): boolean {
    return !this.done && this.alive[i]! === 1 && this.remaining[i]! >= this.minLeft;
  }

  /** Advertiser i's observation of the prepared step (null when it does not play it). */
  observation(i: number): StepObservation | null {
    return this.prepared && this.active[i] ? this.obs[i]! : null;
  }

  /** Advertiser i's tracker (totals, remaining budget, final state). */
  tracker(i: number): StepTracker {
    return this.trackers[i]!;
  }

  /** Draws the current step's opportunities and luck, and every active bidder's observation. */
  prepare(): void {
    if (this.done) throw new RangeError('StepEpisode.prepare: the episode is over');
    if (this.prepared) return;
    const { spec, A, K, buf, remaining, active, alive, endsHere, remainingAtStart, factor, trackers, ctxs, states, obs } = this;
    const t = this.t;
    const n = (this.n = this.source.count(t));
    buf.ensure(n, A, K);
    const { pValue, sigma, bid, slot, price, cost, exposed, conversion, u, v, z } = buf;
    const stepRng = this.marketRng.stream(`step:${t}`);
    this.source.fill(t, pValue, sigma, stepRng.stream('values'));
    const luck = stepRng.stream('luck');
    for (let j = 0; j < n; j++) u[j] = luck.next();
    for (let j = 0; j < n * K; j++) v[j] = luck.next();
    luck.normals(z, n * K);
    bid.fill(0, 0, n * A);
    slot.fill(0, 0, n * A);
    price.fill(0, 0, n * A);
    cost.fill(0, 0, n * A);
    exposed.fill(0, 0, n * A);
    conversion.fill(0, 0, n * A);
    for (let i = 0; i < A; i++) {
      remainingAtStart[i] = remaining[i]!;
      endsHere[i] = 0;
      active[i] = alive[i]! && remaining[i]! >= this.minLeft ? 1 : 0;
      factor[i] = 0;
      obs[i] = null;
      if (!active[i]) continue;
      const pv = pValue.subarray(i * n, (i + 1) * n);
      const tr = trackers[i]!;
      obs[i] = { t, ctx: ctxs[i]!, state: tr.state(pv, n, states[i]), remainingBudget: remaining[i]!, totals: tr.totals, pValues: pv, n };
    }
    this.prepared = true;
  }

  /** Asks every active bidder for its factor and plays the prepared step. */
  play(): void {
    if (!this.prepared) this.prepare();
    const { spec, A, K, buf, remaining, active, alive, endsHere, remainingAtStart, factor, factors, trackers, ctxs, obs, bidders, topBid, topIdx, exposures } = this;
    const t = this.t;
    const n = this.n;
    const { pValue, sigma, bid, slot, price, cost, exposed, conversion, lwc, u, v, z } = buf;

    // Decisions.
    for (let i = 0; i < A; i++) {
      if (!active[i]) continue;
      const a = bidders[i]!.factor(obs[i]!, this.bidderRngs[i]!);
      factor[i] = Number.isFinite(a) && a > 0 ? a : 0;
      factors[i]!.push(factor[i]!);
    }
    // Auctions, one opportunity at a time (budgets move within the step).
    for (let j = 0; j < n; j++) {
      let m = 0; // bids kept in top (descending)
      for (let i = 0; i < A; i++) {
        if (!active[i]) continue;
        let b = factor[i]! * pValue[i * n + j]!;
        if (b > remaining[i]!) b = remaining[i]!;
        bid[i * n + j] = b;
        if (b < spec.reserve || b <= 0) continue;
        // Insert into the top K+1 (strictly greater moves up: ties keep the lower index first).
        if (m === K + 1 && b <= topBid[K]!) continue;
        let p = m < K + 1 ? m++ : K;
        while (p > 0 && topBid[p - 1]! < b) {
          topBid[p] = topBid[p - 1]!;
          topIdx[p] = topIdx[p - 1]!;
          p--;
        }
        topBid[p] = b;
        topIdx[p] = i;
      }
      const winners = Math.min(m, K);
      lwc[j] = m > K ? Math.max(topBid[K]!, spec.reserve) : spec.reserve;
      for (let k = 0; k < winners; k++) {
        const i = topIdx[k]!;
        const at = i * n + j;
        slot[at] = k + 1;
        const p = k + 1 < m ? Math.max(topBid[k + 1]!, spec.reserve) : spec.reserve;
        price[at] = p;
        if (u[j]! >= spec.exposure[k]!) continue;
        exposed[at] = 1;
        exposures[i]!++;
        cost[at] = p;
        remaining[i] = Math.max(0, remaining[i]! - p);
        const pTrue = pValue[at]! + sigma[at]! * z[j * K + k]!;
        if (v[j * K + k]! < pTrue) conversion[at] = 1;
      }
    }

    // Feedback.
    for (let i = 0; i < A; i++) {
      if (!active[i]) continue;
      const s = i * n;
      const f: StepFeedback = {
        pValue: pValue.subarray(s, s + n),
        bid: bid.subarray(s, s + n),
        slot: slot.subarray(s, s + n),
        cost: cost.subarray(s, s + n),
        exposed: exposed.subarray(s, s + n),
        conversion: conversion.subarray(s, s + n),
        leastWinningCost: lwc.subarray(0, n),
        n,
      };
      trackers[i]!.record(f, factor[i]!);
      // The tracker's remaining budget is what the market charged (identical arithmetic order is not needed: both subtract the same prices).
      bidders[i]!.observe(f, obs[i]!);
      if (t === spec.steps - 1 || remaining[i]! < this.minLeft) {
        endsHere[i] = 1;
        alive[i] = 0;
        const tr = trackers[i]!;
        const empty = new Float32Array(0);
        const last: StepObservation = { t: t + 1, ctx: ctxs[i]!, state: tr.state(empty, 0), remainingBudget: remaining[i]!, totals: tr.totals, pValues: empty, n: 0 };
        bidders[i]!.endEpisode?.(last);
      }
    }
    this.onStep?.({ t, n, remainingAtStart, active, endsHere, factor, pValue, sigma, bid, slot, price, cost, exposed, conversion, leastWinningCost: lwc });
    this.prepared = false;
    this.t++;
  }

  /** Every advertiser's outcome of the episode so far. */
  results(): AdvertiserResult[] {
    const { spec, trackers, exposures, factors } = this;
    return spec.advertisers.map((a, i) => {
      const T = trackers[i]!.totals;
      const s = targetScore({ conversions: T.conversions, cost: T.cost, beta: spec.beta }, targetsOf(a));
      return {
        id: a.id,
        budget: a.budget,
        target: a.cpa,
        cost: T.cost,
        conversions: T.conversions,
        expectedConversions: T.expectedConversions,
        cpa: s.cpa,
        ...(s.roi !== undefined ? { roi: s.roi } : {}),
        score: s.score,
        penalty: s.penalty,
        budgetSpent: T.cost / a.budget,
        wins: T.wins,
        exposures: exposures[i]!,
        opportunities: T.opportunities,
        factors: factors[i]!,
      };
    });
  }
}
