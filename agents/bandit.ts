/**
 * The linear contextual bandit behind LinUCB (linucb.ts) and Thompson sampling
 * (thompson.ts), as bidders and as ad allocators. Its models are ridge
 * regressions of the reward on a context (linear.ts); the two algorithms differ
 * only in the {@link ScoringRule} that turns a model and a context into a score:
 *
 * - a bidder ({@link LinearBanditAgent}) keeps one model per bid multiplier and
 *   scores the auction's context x = [1, features, features²] under each, plays
 *   the multiplier with the best score and updates its model with the reward;
 * - an allocator ({@link LinearAllocator}) keeps one shared model and scores the
 *   context of each candidate ad under it, shows the ad with the best score and
 *   updates the model with the click.
 *
 * Exploration draws only from the stream handed in (`explore`); null means
 * greedy, the posterior mean (evaluation).
 */
import { z } from 'zod';
import { InputError } from '../env/errors.js';
import type { Rng } from '../env/rng.js';
import type { Agent, AgentContext, Observation, Policy, Transition } from './core.js';
import { defaultGrid, polynomialContext, StateGrid, valueOf, type StateGridSpec } from './features.js';
import { LinearArmPolicy, TablePolicy } from './frozen.js';
import { banditFields, learnerFields, type LearnerArgs } from './learner/args.js';
import { BidShaper } from './learner/shaper.js';
import { RidgeModel } from './linear.js';

/** How a linear bandit scores a context under a model. */
export interface ScoringRule {
  readonly kind: 'linucb' | 'thompson';
  /** Score of `x` under `m`, exploring afresh (a bidder: each multiplier's model scores the auction's one context). */
  score(m: RidgeModel, x: ArrayLike<number>, explore: Rng | null): number;
  /** {@link score} of the one-hot context e_i, for a model updated with one-hot contexts only (RidgeModel.updateOneHot). */
  scoreOneHot(m: RidgeModel, i: number, explore: Rng | null): number;
  /** Starts a decision in which `m` scores many contexts with one exploration (an allocator: the ads of a catalogue). */
  begin(m: RidgeModel, explore: Rng | null): void;
  /** Score of `x` in the decision begun last. */
  scoreBegun(m: RidgeModel, x: ArrayLike<number>): number;
}

/**
 * LinUCB's rule (Li et al., 2010, Algorithm 1): θᵀx + α · √(xᵀ A⁻¹ x) when
 * exploring, θᵀx otherwise. Draws nothing from `explore`.
 */
export class UcbRule implements ScoringRule {
  readonly kind = 'linucb';
  private exploring = false;
  /** @param alpha width α of the confidence bonus, ≥ 0 */
  constructor(readonly alpha: number) {
    if (!(alpha >= 0)) throw new InputError(`alpha: expected a number ≥ 0, got ${alpha}`);
  }
  score(m: RidgeModel, x: ArrayLike<number>, explore: Rng | null): number {
    const alpha = explore ? this.alpha : 0;
    return m.mean(x) + (alpha > 0 ? alpha * m.width(x) : 0);
  }
  scoreOneHot(m: RidgeModel, i: number, explore: Rng | null): number {
    const alpha = explore ? this.alpha : 0;
    return m.theta[i]! + (alpha > 0 ? alpha * Math.sqrt(Math.max(0, m.ainv[i * m.d + i]!)) : 0);
  }
  begin(_m: RidgeModel, explore: Rng | null): void {
    this.exploring = explore !== null;
  }
  scoreBegun(m: RidgeModel, x: ArrayLike<number>): number {
    return m.mean(x) + (this.exploring ? this.alpha * m.width(x) : 0);
  }
}

/**
 * Thompson sampling's rule (Agrawal & Goyal, 2013): θ̃ᵀx with θ̃ ~ N(θ, σ² A⁻¹)
 * drawn from `explore`, θᵀx without it. A bidder's model scores one context, so
 * `score` draws θ̃ᵀx itself (one normal draw); an allocator's scores many with
 * one θ̃ (`begin`: d normal draws).
 */
export class ThompsonRule implements ScoringRule {
  readonly kind = 'thompson';
  private theta = new Float64Array(0);
  /** @param noise reward noise σ, > 0 (scales the posterior draws) */
  constructor(readonly noise: number) {
    if (!(noise > 0)) throw new InputError(`noise: expected a number > 0, got ${noise}`);
  }
  score(m: RidgeModel, x: ArrayLike<number>, explore: Rng | null): number {
    // θ̃ᵀx for θ̃ ~ N(θ, σ² A⁻¹) is N(θᵀx, σ² xᵀA⁻¹x): one normal draw per model scoring one context.
    return explore ? m.mean(x) + this.noise * m.width(x) * explore.normal() : m.mean(x);
  }
  scoreOneHot(m: RidgeModel, i: number, explore: Rng | null): number {
    return explore ? m.theta[i]! + this.noise * Math.sqrt(Math.max(0, m.ainv[i * m.d + i]!)) * explore.normal() : m.theta[i]!;
  }
  begin(m: RidgeModel, explore: Rng | null): void {
    if (this.theta.length !== m.d) this.theta = new Float64Array(m.d);
    if (explore) m.sampleTheta(this.noise, explore, this.theta);
    else this.theta.set(m.theta);
  }
  scoreBegun(m: RidgeModel, x: ArrayLike<number>): number {
    let s = 0;
    for (let i = 0; i < m.d; i++) s += this.theta[i]! * x[i]!;
    return s;
  }
}

/** Arguments of a {@link LinearBandit}. */
export interface LinearBanditArgs {
  /** Number of models (one per bid multiplier, or 1 shared by all ads). */
  models: number;
  /** Length of a context. */
  dimension: number;
  /** Prior precision λ of each model, > 0. */
  regularisation: number;
  /** Forgetting factor per update, in (0, 1]. */
  decay: number;
}

/** Ridge models, a scoring rule, and the two ways of choosing with them. */
export class LinearBandit {
  readonly models: RidgeModel[];
  readonly decay: number;
  constructor(args: LinearBanditArgs, readonly rule: ScoringRule) {
    this.models = Array.from({ length: args.models }, () => new RidgeModel(args.dimension, args.regularisation));
    this.decay = args.decay;
  }

  /** Index of the model that scores context `x` best (the first on ties). */
  bestModel(x: ArrayLike<number>, explore: Rng | null): number {
    let best = 0;
    let bestScore = -Infinity;
    for (let a = 0; a < this.models.length; a++) {
      const s = this.rule.score(this.models[a]!, x, explore);
      if (s > bestScore) {
        bestScore = s;
        best = a;
      }
    }
    return best;
  }

  /** {@link bestModel} for the one-hot context e_i (models updated with one-hot contexts only). */
  bestModelOneHot(i: number, explore: Rng | null): number {
    let best = 0;
    let bestScore = -Infinity;
    for (let a = 0; a < this.models.length; a++) {
      const s = this.rule.scoreOneHot(this.models[a]!, i, explore);
      if (s > bestScore) {
        bestScore = s;
        best = a;
      }
    }
    return best;
  }

  /**
   * Index of the best of `count` contexts (row-major, `dimension` numbers each)
   * under the first model, with one exploration for the decision.
   */
  bestContext(contexts: Float64Array, count: number, explore: Rng | null): number {
    const m = this.models[0]!;
    const d = m.d;
    if (count < 1 || contexts.length < count * d) throw new RangeError(`chooseAd: expected ${count} contexts of ${d} numbers, got ${contexts.length} numbers`);
    this.rule.begin(m, explore);
    let best = 0;
    let bestScore = -Infinity;
    for (let k = 0; k < count; k++) {
      const s = this.rule.scoreBegun(m, contexts.subarray(k * d, k * d + d));
      if (s > bestScore) {
        bestScore = s;
        best = k;
      }
    }
    return best;
  }

  /** Adds reward `r` observed with context `x` to model `i`. */
  update(i: number, x: ArrayLike<number>, r: number): void {
    this.models[i]!.update(x, r, this.decay);
  }
}

/**
 * The config schema of a linear-bandit bidder: `kind`, the fields of every
 * learner and of every linear bandit, then those of its scoring rule.
 * @example banditAgentSchema('linucb', { alpha: z.number().min(0).default(0.5).describe('…') })
 */
export function banditAgentSchema<K extends string, R extends z.ZodRawShape>(kind: K, ruleFields: R) {
  return z.object({ kind: z.literal(kind), ...learnerFields, ...banditFields, ...ruleFields }).strict();
}

/**
 * The config schema of a linear-bandit ad allocator: `kind`, its scoring rule's
 * fields, then the shared model's prior precision.
 */
export function banditAllocatorSchema<K extends string, R extends z.ZodRawShape>(kind: K, ruleFields: R) {
  return z.object({ kind: z.literal(kind), ...ruleFields, regularisation: z.number().positive().default(1).describe('ridge prior precision') }).strict();
}

/** Arguments of a {@link LinearBanditAgent}: the learner's fields and the bandit's. */
export interface LinearBanditAgentArgs extends LearnerArgs {
  /** Context degree: [1, x], [1, x, x²] or [1, x, x², x³]. */
  degree: 1 | 2 | 3;
  /** Context: polynomial of `degree`, one-hot value buckets, or auto (buckets when learning counterfactually). Absent: polynomial. */
  basis?: 'auto' | 'polynomial' | 'buckets';
  /** Buckets of value-like features with basis buckets (absent: 8). */
  valueBuckets?: number;
  /** Prior precision λ of each multiplier's model. */
  regularisation: number;
  /** Forgetting factor per update, in (0, 1]. */
  decay: number;
}

/**
 * A bidder over bid multipliers with one model per multiplier (the arms): plays
 * the multiplier whose model scores the auction's context best and updates that
 * model with the reward (scaled, and with a budget Lagrangian: learner/shaper.ts).
 */
export class LinearBanditAgent implements Agent {
  training = true;
  readonly shaper: BidShaper;
  readonly bandit: LinearBandit;
  private readonly ctxv: Float64Array;
  /**
   * With the bucket basis, the value buckets (the context is the one-hot of the
   * bucket: each arm's model is then its mean reward per bucket); null: polynomial.
   * A local basis keeps the sign of the data: a polynomial fitted to rewards that
   * grow like v^(k+1) (first price, k rivals) dips below zero at low values, where
   * it then ranks overbidding arms first.
   */
  readonly gridSpec: StateGridSpec | null;
  private readonly grid: StateGrid | null;
  /** Counterfactual rewards of the last transition (BidShaper.counterfactual). */
  private readonly rAll: Float64Array;

  constructor(
    readonly kind: 'linucb' | 'thompson',
    readonly args: LinearBanditAgentArgs,
    ctx: AgentContext,
    rule: ScoringRule,
  ) {
    this.shaper = new BidShaper(args, ctx);
    const basis = args.basis ?? 'polynomial';
    const buckets = basis === 'buckets' || (basis === 'auto' && this.shaper.counterfactualOn);
    this.gridSpec = buckets ? defaultGrid(this.shaper.encoderSpec, args.valueBuckets ?? 8, 5) : null;
    this.grid = this.gridSpec ? new StateGrid(this.gridSpec) : null;
    const dimension = this.grid ? this.grid.size : 1 + this.shaper.encoder.size * args.degree;
    this.bandit = new LinearBandit({ models: this.shaper.actions, dimension, regularisation: args.regularisation, decay: args.decay }, rule);
    this.ctxv = new Float64Array(dimension);
    this.rAll = new Float64Array(this.shaper.actions);
  }

  /** The models, one per multiplier. */
  get arms(): RidgeModel[] {
    return this.bandit.models;
  }

  private context(o: Observation): Float64Array {
    polynomialContext(this.shaper.encode(o), this.shaper.encoder.size, this.args.degree, this.ctxv);
    return this.ctxv;
  }

  act(o: Observation, rng: Rng): number {
    // Warming up (learner/shaper.ts): a random action until the learner has measured its value scale.
    const w = this.shaper.warmupAction(rng, this.training);
    if (w !== null) return this.shaper.bid(o, w, true);
    const explore = this.training ? rng : null;
    const a = this.grid ? this.bandit.bestModelOneHot(this.grid.index(this.shaper.encode(o)), explore) : this.bandit.bestModel(this.context(o), explore);
    return this.shaper.bid(o, a, this.training);
  }

  learn(t: Transition): void {
    if (this.shaper.skipWarmup(t)) return;
    if (!this.training || !(valueOf(t.observation) > 0)) return;
    // Full information (learner/shaper.ts): every arm learns what it would have earned.
    const full = this.shaper.counterfactual(t, this.rAll);
    if (this.grid) {
      // One-hot contexts: O(1) updates (RidgeModel.updateOneHot).
      const i = this.grid.index(this.shaper.encode(t.observation));
      const { decay } = this.bandit;
      if (full) for (let a = 0; a < this.rAll.length; a++) this.bandit.models[a]!.updateOneHot(i, this.rAll[a]!, decay);
      else this.bandit.models[this.shaper.actionOf(t.observation, t.action)]!.updateOneHot(i, this.shaper.reward(t), decay);
      return;
    }
    const x = this.context(t.observation);
    if (full) for (let a = 0; a < this.rAll.length; a++) this.bandit.update(a, x, this.rAll[a]!);
    else this.bandit.update(this.shaper.actionOf(t.observation, t.action), x, this.shaper.reward(t));
  }

  endEpisode(): void {
    this.shaper.endEpisode(this.training);
  }

  policy(): Policy {
    if (this.gridSpec) {
      // One-hot contexts: arm a's θ holds its mean reward per bucket, a Q-table (states × actions).
      const n = this.shaper.actions;
      const q = new Float64Array(this.grid!.size * n);
      this.arms.forEach((m, a) => m.theta.forEach((t, s) => (q[s * n + a] = t)));
      return new TablePolicy(this.kind, this.shaper.encoderSpec, this.gridSpec, this.shaper.multipliers, q, this.shaper.pacerParams(), this.shaper.levelBids);
    }
    const theta = this.arms.map((m) => Array.from(m.theta));
    return new LinearArmPolicy(this.kind, this.shaper.encoderSpec, this.args.degree, this.shaper.multipliers, theta, this.shaper.pacerParams(), this.shaper.levelBids);
  }
}

/** Arguments of a {@link LinearAllocator}. */
export interface LinearAllocatorArgs {
  /** Length of each ad's context vector. */
  dimension: number;
  /** Prior precision λ of the shared model, > 0 (default: the allocator's config default). */
  regularisation?: number;
  /** Forgetting factor per update, in (0, 1] (default 1: none). */
  decay?: number;
}

/**
 * Chooses which ad of a catalogue to show with one shared model over per-ad
 * contexts (the reward of an ad, a click or its value, is modelled as θᵀx_ad).
 */
export class LinearAllocator<Rule extends ScoringRule = ScoringRule> {
  readonly bandit: LinearBandit;
  /**
   * @param rule the scoring rule (its own state: one per allocator)
   * @param defaults the allocator's config defaults (its schema's)
   */
  constructor(args: LinearAllocatorArgs, readonly rule: Rule, defaults: { regularisation: number }) {
    this.bandit = new LinearBandit({ models: 1, dimension: args.dimension, regularisation: args.regularisation ?? defaults.regularisation, decay: args.decay ?? 1 }, rule);
  }

  /** The shared model. */
  get model(): RidgeModel {
    return this.bandit.models[0]!;
  }

  /** Forgetting factor per update. */
  get decay(): number {
    return this.bandit.decay;
  }

  /**
   * Index of the ad to show.
   * @param contexts `count × dimension` context vectors, row-major
   * @param count number of candidate ads (≥ 1)
   * @param explore the exploration stream; null = the posterior mean only (evaluation)
   */
  chooseAd(contexts: Float64Array, count: number, explore: Rng | null): number {
    return this.bandit.bestContext(contexts, count, explore);
  }

  /** Adds the reward observed for the ad shown with context `x`. */
  update(x: ArrayLike<number>, reward: number): void {
    this.bandit.update(0, x, reward);
  }
}
