/**
 * What every learning bidder shares: its action set (bid multipliers on the
 * value, and bid levels), the features it reads, the budget pacer
 * (budget-pacer.ts) and the reward it learns from. Each algorithm file holds one
 * {@link BidShaper} and only its own learning rule.
 */
import { OBS, OBS_SIZE, type ObsFeature } from '../../env/observation.js';
import type { Rng } from '../../env/rng.js';
import type { AgentContext, Observation, Transition } from '../core.js';
import { actionBid, checkLevels, checkMultipliers, defaultFeatures, encoderSpec, FeatureEncoder, valueOf, type EncoderSpec } from '../features.js';
import type { LearnerArgs } from './args.js';
import { slotPrices } from '../hindsight.js';
import { BudgetPacer, type PacerParams } from './budget-pacer.js';
import { isTimeAware } from './rules.js';
import { MICROS, toMicros } from '../../env/exchange/ledger.js';

/** What the per-slot counterfactual needs to know of the market. */
interface SlotMarket {
  mechanism: string;
  weights: Float64Array;
  reserve: number;
  /** The episode budget, currency units (the market caps a bid at what is left of it). */
  budget: number | null;
}

/** Auctions over which the reward scale (the mean value acted on) is averaged. */
const REWARD_WINDOW = 10_000;
/** The value scale is this quantile of the values observed first. */
const SCALE_QUANTILE = 0.95;

/**
 * Turns actions into bids and transitions into learning signals.
 *
 * Actions: first the multipliers (bid = m × value / λ(o), a shading factor),
 * then the bid levels (bid = min(level, value), with a budget divided by λ(o)
 * as a multiplier's bid is (budget-pacer.ts `bid`): a bid that does not grow
 * with the value, what the best response to a rival with a fixed bid or a
 * reserve needs; features.ts `actionBid`). The levels, in currency, are the
 * scale levels ℓ × scale (`bidLevels`) and the price levels (`priceLevels`),
 * one micro above quantiles of the prices to beat seen in the warm-up
 * ({@link placeLevels}), merged into one increasing list. `scale` is the learner's own measure of its values: the 95th
 * percentile of the first `scaleSample` (500) positive values it sees while
 * training, during which it bids at random and does not learn
 * ({@link warmupAction}). Until then (and for an agent that never trains) it is
 * the context's rough `valueScale`. The scale also normalises the value-like
 * features, so that buckets, network inputs and bandit contexts cover the
 * values this bidder actually has, whatever the currency, the click rates or
 * the other bidders' values.
 */
export class BidShaper {
  readonly multipliers: number[];
  /** Bid levels in units of the value scale (`bidLevels`). */
  readonly levels: number[];
  /** Quantiles of the price to beat at which the other bid levels are placed (`priceLevels`). */
  readonly priceQuantiles: number[];
  /**
   * The bid levels in currency, increasing, the actions after the multipliers:
   * the scale levels (ℓ × the value scale) and the price levels merged
   * ({@link placeLevels}).
   */
  readonly levelBids: number[];
  encoderSpec: EncoderSpec;
  encoder: FeatureEncoder;
  /** The value scale, currency units (see the class comment). */
  valueScale: number;
  /** Null without a budget, or when the budget is learnt from the state. */
  readonly pacer: BudgetPacer | null;
  /** The bidder has a budget it learns to spend from its state (not paced): "auto" discounting then means γ = 1 (rules.ts). */
  readonly budgetInState: boolean;
  /** The state includes the time left (rules.ts: no bootstrapping at the horizon). */
  readonly timeAware: boolean;
  /** Encoded features of the last {@link encode} call. */
  readonly x: Float64Array;
  /** Running mean of the value the learner acts on (v, or v / λ with a budget): the reward scale. */
  private valueMean: number;
  private seen = 0;
  private lastBid = NaN;
  private readonly paced = new Float64Array(OBS_SIZE);
  private lastAction = 0;
  private lastValue = NaN;
  private lastTime = NaN;
  private readonly featureNames: ObsFeature[];
  /** Values observed before the scale is fixed; null once it is. */
  private sample: number[] | null;
  /** Values in the sample that fixes the scale (0: none, the context's scale stays). */
  private readonly sampleSize: number;
  /** Prices to beat reported in the warm-up auctions (every slot's with several); null once the levels are placed. */
  private priceSample: number[] | null;
  private readonly slots: number;
  private readonly reserve: number;
  /** Warm-up actions whose transitions have not been skipped yet. */
  private warmupPending = 0;
  /**
   * Counterfactual rewards are available ({@link counterfactual}): asked for, and
   * either one slot and no budget (the price then depends on the bid alone: the
   * bid in first price, the price to beat otherwise), or a paced budget with the
   * market's slot weights and reserve known (any number of slots: each slot's
   * price from the competing bids the auction reports).
   */
  readonly counterfactualOn: boolean;
  private readonly payBid: boolean;
  /** Slot weights and reserve for the per-slot counterfactual (null: the one-slot rule without a budget only). */
  private readonly market: SlotMarket | null;
  private readonly prices: Float64Array;

  constructor(args: LearnerArgs, ctx: AgentContext) {
    this.multipliers = checkMultipliers(args.multipliers);
    this.sampleSize = args.scaleSample ?? 0;
    this.sample = this.sampleSize > 0 ? [] : null;
    this.levels = checkLevels(args.bidLevels ?? []);
    this.priceQuantiles = checkLevels(args.priceLevels ?? [], 'priceLevels', 1);
    this.levelBids = [...this.levels, ...this.priceQuantiles].map(() => 0);
    this.priceSample = this.sampleSize > 0 && this.priceQuantiles.length > 0 ? [] : null;
    this.slots = ctx.slots;
    this.reserve = ctx.reservePrice ?? 0;
    const pacing = args.pacing && ctx.budget !== null;
    this.featureNames = args.features ?? defaultFeatures(ctx, args.pacing);
    this.valueScale = ctx.valueScale;
    this.encoderSpec = encoderSpec(this.featureNames, ctx.valueScale);
    this.encoder = new FeatureEncoder(this.encoderSpec);
    this.setScale(ctx.valueScale);
    const minLogLambda = Math.log(args.minLambda ?? 1);
    this.pacer = pacing ? new BudgetPacer({ logLambda0: Math.max(0, minLogLambda), gain: args.pacingGain, minLogLambda, rule: 'ratio', pacedLevels: true }) : null;
    this.budgetInState = ctx.budget !== null && !this.pacer;
    this.timeAware = isTimeAware(this.encoderSpec);
    this.x = new Float64Array(this.encoder.size);
    this.valueMean = ctx.valueScale;
    const known = ctx.slotWeights !== undefined && ctx.slotWeights.length === ctx.slots && ctx.reservePrice !== undefined;
    // Only with a paced budget (the pacer makes the auctions independent; a budget learnt from the state does not).
    this.market = known && this.pacer ? { mechanism: ctx.mechanism, weights: Float64Array.from(ctx.slotWeights!), reserve: ctx.reservePrice!, budget: ctx.budget } : null;
    this.prices = new Float64Array(ctx.slots);
    this.counterfactualOn = (args.counterfactual ?? false) && ((ctx.budget === null && ctx.slots === 1) || this.market !== null);
    this.payBid = ctx.mechanism === 'first-price';
  }

  /** Number of actions. */
  get actions(): number {
    return this.multipliers.length + this.levelBids.length;
  }

  /** True until the value scale is fixed. */
  get warmingUp(): boolean {
    return this.sample !== null;
  }

  /**
   * Whether the transition to learn from is one of a warm-up action (the learner
   * then skips it, and the shaper records the price to beat it reports, which
   * places the price levels). Every action gets exactly one transition, in
   * order, so a count of the warm-up actions not yet learnt from is enough.
   */
  skipWarmup(t: Transition): boolean {
    if (this.warmupPending === 0) return false;
    this.warmupPending--;
    if (this.priceSample !== null) {
      // The price to beat for the top slot (with the reserve); with several slots every slot's (the other bidders' j-th bid or the reserve).
      this.priceSample.push(t.info.competingBid);
      const comp = t.info.competingBids;
      if (this.slots > 1 && comp) for (let j = 1; j < this.slots && j < comp.length; j++) this.priceSample.push(Math.max(comp[j]!, this.reserve));
    }
    return true;
  }

  /**
   * While training and warming up, a uniformly random action (the learner
   * plays it instead of its own and skips learning); null otherwise. Fixes the
   * scale once the sample is complete.
   */
  warmupAction(rng: Rng, training: boolean): number | null {
    if (!training || this.sample === null) return null;
    if (this.sample.length >= this.sampleSize) {
      const sorted = Float64Array.from(this.sample).sort();
      const prices = this.priceSample !== null && this.priceSample.length > 0 ? Float64Array.from(this.priceSample).sort() : null;
      this.sample = null;
      this.priceSample = null;
      this.setScale(sorted[Math.min(sorted.length - 1, Math.floor(SCALE_QUANTILE * sorted.length))]!, prices);
      return null;
    }
    this.warmupPending++;
    return rng.int(this.actions);
  }

  private setScale(s: number, prices: Float64Array | null = null): void {
    this.valueScale = s;
    this.encoderSpec = encoderSpec(this.featureNames, s);
    this.encoder = new FeatureEncoder(this.encoderSpec);
    placeLevels(this.levels, this.priceQuantiles, s, prices, this.levelBids);
  }

  /** The observation the learner acts on: `o` itself, or with a budget the paced copy whose value is v / λ(o) (budget-pacer.ts). */
  view(o: Observation): Observation {
    return this.pacer ? this.pacer.pace(o, this.paced) : o;
  }

  /** Encodes the learner's view of `o` into {@link x} and returns it. */
  encode(o: Observation): Float64Array {
    this.encoder.encode(this.view(o), this.x);
    return this.x;
  }

  /**
   * The bid of action `a` on `o`: multiplier × value / λ(o), or the bid level.
   * Remembers the pair so that {@link actionOf} recovers `a` exactly from the transition.
   */
  bid(o: Observation, a: number, training: boolean): number {
    const v = valueOf(this.view(o));
    const b = this.pacer ? this.pacer.bid(this.multipliers, this.levelBids, a, o) : actionBid(this.multipliers, this.levelBids, a, v);
    if (training) {
      if (this.pacer) this.pacer.record(o);
      this.trackValue(v);
      if (this.sample !== null && o[OBS.value]! > 0) this.sample.push(o[OBS.value]!);
    }
    this.lastBid = b;
    this.lastAction = a;
    this.lastValue = o[OBS.value]!;
    this.lastTime = o[OBS.timeLeft]!;
    return b;
  }

  /** Action index of a bid made on `o`: the last one chosen, or else the action whose bid is nearest. */
  actionOf(o: Observation, bid: number): number {
    if (bid === this.lastBid && o[OBS.value] === this.lastValue && o[OBS.timeLeft] === this.lastTime) return this.lastAction;
    const v = valueOf(this.view(o));
    let best = 0;
    let gap = Infinity;
    for (let a = 0; a < this.actions; a++) {
      const g = Math.abs((this.pacer ? this.pacer.bid(this.multipliers, this.levelBids, a, o) : actionBid(this.multipliers, this.levelBids, a, v)) - bid);
      if (g < gap) {
        gap = g;
        best = a;
      }
    }
    return best;
  }
  /**
   * Running mean of the values acted on (an exponential moving average over
   * about the last `REWARD_WINDOW` auctions, a plain mean before that).
   */
  private trackValue(v: number): void {
    this.seen++;
    this.valueMean += (v - this.valueMean) / Math.min(this.seen, REWARD_WINDOW);
  }

  /**
   * The reward to learn from, in units of the mean value acted on (reward
   * scaling keeps network and bandit updates the same size whatever the
   * currency or the click rates): the env's reward, or with a budget the
   * Lagrangian reward divided by λ, (r − (λ − 1) × cost) / λ = value won / λ − cost
   * (budget-pacer.ts).
   */
  reward(t: Transition): number {
    const scale = this.valueMean > 0 ? 1 / this.valueMean : 1;
    if (!this.pacer) return t.reward * scale;
    const lambda = this.pacer.lambda(t.observation);
    return ((t.reward - (lambda - 1) * t.info.cost) / lambda) * this.pacer.base * scale;
  }

  /**
   * What every action would have earned in the auction of `t`, in the units of
   * {@link reward}, into `out` (one number per action); false when that is not
   * known (see {@link counterfactualOn}), and then `out` is untouched.
   *
   * The auction reports the price to beat p (the highest competing bid, or the
   * reserve). With one slot and the other bids fixed, a bid b wins when b > p
   * and then earns v − b (first price) or v − p (second price): the full-information
   * feedback of a repeated auction ("minimum bid to win", as exchanges report in
   * first price; Han, Zhou & Weissman 2020). The action played gets its reward
   * as observed, and the transition is left out (false) when that reward is not
   * the one this rule gives it (an objective expression replaces the reward, or
   * the ad was not shown): the rule is then not the market's. With a paced
   * budget, any number of slots: {@link counterfactualSlots}.
   */
  counterfactual(t: Transition, out: Float64Array): boolean {
    if (!this.counterfactualOn) return false;
    if (this.market) return this.counterfactualSlots(t, out, this.market);
    const o = t.observation;
    const v = valueOf(o);
    const p = t.info.competingBid;
    const played = this.actionOf(o, t.action);
    const scale = this.valueMean > 0 ? 1 / this.valueMean : 1;
    // Bids and prices are rounded to the micro, and a tie within it goes to the market's tie-break.
    const tie = Math.abs(t.action - p) <= 1e-6;
    const own = t.action > p ? v - (this.payBid ? t.action : p) : 0;
    if (!tie && Math.abs(own - t.reward) > 2e-6 + 1e-9 * v) return false;
    for (let a = 0; a < this.actions; a++) {
      const b = actionBid(this.multipliers, this.levelBids, a, v);
      out[a] = (b > p ? v - (this.payBid ? b : p) : 0) * scale;
    }
    out[played] = t.reward * scale;
    return true;
  }

  /**
   * {@link counterfactual} with a paced budget (one slot or several). The auction
   * reports the other bidders' highest bids c_0 ≥ c_1 ≥ … (one per slot); with
   * them held, a bid b (capped by the budget left, as the market caps it) takes
   * the first slot j with b > c_j, if it clears the reserve, worth the value's
   * estimate × w_j, at the mechanism's price for slot j (agents/hindsight.ts
   * `slotPrices`; w_j × b in first price). Its reward is the Lagrangian one of
   * {@link reward}: (value / λ(o) − cost) in units of λ₀ and the reward scale,
   * with the λ(o) of the auction (the pacer makes the auctions independent, as
   * the one-slot rule needs). The played action gets its reward as observed;
   * the transition is left out (false) when the rule does not give that reward
   * (an objective expression, an ad not shown) or the runner did not report the
   * competing bids (logged markets).
   */
  private counterfactualSlots(t: Transition, out: Float64Array, m: SlotMarket): boolean {
    const comp = t.info.competingBids;
    const S = m.weights.length;
    if (!comp || comp.length < S) return false;
    const o = t.observation;
    const v = valueOf(o);
    const lambda = this.pacer ? this.pacer.lambda(o) : 1;
    const scale = (this.valueMean > 0 ? 1 / this.valueMean : 1) * (this.pacer ? this.pacer.base : 1);
    const cap = m.budget === null ? Infinity : o[OBS.budgetLeft]! * m.budget;
    if (!this.payBid) slotPrices(m.mechanism, comp, m.reserve, m.weights, this.prices, true);
    const played = this.actionOf(o, t.action);
    // Reward of a bid (value − cost, the env's reward) into `gain`; false at a tie with a competing bid or the reserve (the market's tie-break decides).
    let value = 0;
    let cost = 0;
    const outcome = (bid: number): boolean => {
      const b = Math.min(bid, cap);
      value = 0;
      cost = 0;
      if (Math.abs(b - m.reserve) <= 1e-6) return false;
      if (!(b > 0) || b < m.reserve) return true;
      let j = 0;
      while (j < S && comp[j]! >= b) j++;
      for (let k = 0; k < S; k++) if (Math.abs(b - comp[k]!) <= 1e-6) return false;
      if (j === S) return true;
      value = v * m.weights[j]!;
      cost = this.payBid ? m.weights[j]! * b : this.prices[j]!;
      return true;
    };
    if (outcome(t.action) && Math.abs(value - cost - t.reward) > 2e-6 + 1e-9 * v) return false;
    for (let a = 0; a < this.actions; a++) {
      outcome(this.pacer ? this.pacer.bid(this.multipliers, this.levelBids, a, o) : actionBid(this.multipliers, this.levelBids, a, v));
      out[a] = (value / lambda - cost) * scale;
    }
    out[played] = this.reward(t);
    return true;
  }

  /** End of an episode: a training episode moves the pacer's λ₀. */
  endEpisode(training: boolean): void {
    if (this.pacer && training) this.pacer.endEpisode();
  }

  /** The pacer's parameters for the frozen policy (null without one). */
  pacerParams(): PacerParams | null {
    return this.pacer ? this.pacer.params() : null;
  }
}

/**
 * The bid levels in currency into `out`, increasing: the scale levels ℓ × s and
 * one price level per quantile q of the observed prices to beat, the lowest bid
 * that beats that price: one micro above it (bids and prices are whole micros,
 * env/exchange/ledger.ts, and a bid equal to a competing bid ties, to the
 * market's tie-break), the q-quantile being the sorted sample's entry ⌊q × n⌋
 * (the scale's rule). Without observed prices (no warm-up: the learner never
 * trained, or `scaleSample` 0) a price level is q × s, as if the price to beat
 * were uniform on [0, s]. A level not above the one before it (prices that
 * repeat, such as a rival's constant bid: one price level per quantile at the
 * same price) is moved one micro above it, so that the levels stay increasing
 * and a policy file holds them as they are.
 */
export function placeLevels(levels: readonly number[], quantiles: readonly number[], s: number, prices: Float64Array | null, out: number[]): void {
  const bids = levels.map((l) => l * s);
  for (const q of quantiles) {
    if (prices === null) bids.push(q * s);
    else bids.push((toMicros(prices[Math.min(prices.length - 1, Math.floor(q * prices.length))]!) + 1) / MICROS);
  }
  bids.sort((a, b) => a - b);
  for (let i = 0; i < bids.length; i++) out[i] = i > 0 && !(bids[i]! > out[i - 1]!) ? (toMicros(out[i - 1]!) + 1) / MICROS : bids[i]!;
}
