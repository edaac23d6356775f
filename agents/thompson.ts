/**
 * Thompson sampling over bid multipliers with Bayesian linear regression per
 * arm (Agrawal & Goyal, "Thompson Sampling for Contextual Bandits with Linear
 * Payoffs", 2013), and a Thompson-sampling ad allocator.
 *
 * Bidder: each multiplier (arm) a has the posterior N(θ_a, σ² A_a⁻¹) of a
 * ridge regression of the reward on x = [1, features, features²] (linear.ts).
 * Each auction it draws θ̃_a from every arm's posterior, with normal draws from
 * the exploration stream given to act(), plays a* = argmax_a θ̃_aᵀx and updates
 * arm a* with the reward (divided by the value scale; with a budget, the
 * Lagrangian reward of budget.ts). Evaluation plays the posterior mean.
 *
 * Allocator ({@link ThompsonAllocator}): one shared posterior over per-ad
 * context vectors; `chooseAd` draws θ̃ once and shows the ad with the highest
 * θ̃ᵀx_ad.
 */
import type { Rng } from '../env/rng.js';
import type { Agent, AgentContext, Observation, Policy, Transition } from './core.js';
import { polynomialContext, valueOf } from './features.js';
import { LinearArmPolicy } from './frozen.js';
import { BidShaper, type ShaperArgs } from './learner.js';
import { RidgeModel } from './linear.js';

/** Arguments of {@link ThompsonAgent} (defaults in experiments/agent-schema.ts). */
export interface ThompsonArgs extends ShaperArgs {
  /** Context degree: [1, x] or [1, x, x²]. */
  degree: 1 | 2 | 3;
  /** Prior precision λ of each arm's regression. */
  regularisation: number;
  /** Forgetting factor per update, in (0, 1]. */
  decay: number;
  /** Reward noise σ, in units of the value scale (scales the posterior draws). */
  noise: number;
}

/** Thompson-sampling bidder. @example new ThompsonAgent({ ...defaults }, ctx) */
export class ThompsonAgent implements Agent {
  readonly kind = 'thompson';
  training = true;
  readonly shaper: BidShaper;
  readonly arms: RidgeModel[];
  private readonly ctxv: Float64Array;

  constructor(readonly args: ThompsonArgs, ctx: AgentContext) {
    this.shaper = new BidShaper(args, ctx);
    const d = 1 + this.shaper.encoder.size * args.degree;
    this.arms = this.shaper.actionMultipliers.map(() => new RidgeModel(d, args.regularisation));
    this.ctxv = new Float64Array(d);
    if (!(args.noise > 0)) throw new RangeError(`noise: expected a number > 0, got ${args.noise}`);
  }

  private context(o: Observation): Float64Array {
    polynomialContext(this.shaper.encode(o), this.shaper.encoder.size, this.args.degree, this.ctxv);
    return this.ctxv;
  }

  act(o: Observation, rng: Rng): number {
    // Warming up (learner.ts): a random action until the learner has measured its value scale.
    const w = this.shaper.warmupAction(rng, this.training);
    if (w !== null) return this.shaper.bid(o, w, true);
    const x = this.context(o);
    let best = 0;
    let bestScore = -Infinity;
    for (let a = 0; a < this.arms.length; a++) {
      const arm = this.arms[a]!;
      const s = this.training ? arm.sampleMean(x, this.args.noise, rng) : arm.mean(x);
      if (s > bestScore) {
        bestScore = s;
        best = a;
      }
    }
    return this.shaper.bid(o, best, this.training);
  }

  learn(t: Transition): void {
    if (this.shaper.skipWarmup()) return;
    if (!this.training || !(valueOf(t.observation) > 0)) return;
    const a = this.shaper.actionOf(t.observation, t.action);
    this.arms[a]!.update(this.context(t.observation), this.shaper.reward(t), this.args.decay);
  }

  endEpisode(): void {
    this.shaper.endEpisode(this.training);
  }

  policy(): Policy {
    const theta = this.arms.map((m) => Array.from(m.theta));
    return new LinearArmPolicy(this.kind, this.shaper.encoderSpec, this.args.degree, this.shaper.actionMultipliers, theta, this.shaper.pacerParams(), this.shaper.actionOffsets);
  }
}

/** Arguments of {@link ThompsonAllocator}. */
export interface ThompsonAllocatorArgs {
  /** Length of each ad's context vector. */
  dimension: number;
  /** Reward noise σ (default 0.5). */
  noise?: number;
  /** Prior precision λ (default 1). */
  regularisation?: number;
  /** Forgetting factor per update (default 1). */
  decay?: number;
}

/**
 * Chooses which ad of a catalogue to show by Thompson sampling over per-ad
 * contexts with one shared linear model.
 *
 * @example
 * const alloc = new ThompsonAllocator({ dimension: 16 });
 * const k = alloc.chooseAd(contexts, nAds, rng.stream('allocator'));
 * alloc.update(contexts.subarray(k * 16, k * 16 + 16), clicked ? 1 : 0);
 */
export class ThompsonAllocator {
  readonly model: RidgeModel;
  readonly noise: number;
  readonly decay: number;
  private theta: Float64Array;
  constructor(args: ThompsonAllocatorArgs) {
    this.model = new RidgeModel(args.dimension, args.regularisation ?? 1);
    this.noise = args.noise ?? 0.5;
    this.decay = args.decay ?? 1;
    this.theta = new Float64Array(args.dimension);
    if (!(this.noise > 0)) throw new RangeError(`noise: expected a number > 0, got ${this.noise}`);
  }

  /**
   * Index of the ad to show: one posterior draw θ̃ (from `rng`), then argmax θ̃ᵀx.
   * Without `rng` (evaluation) the posterior mean is used.
   * @param contexts `count × dimension` context vectors, row-major
   */
  chooseAd(contexts: Float64Array, count: number, rng?: Rng): number {
    const d = this.model.d;
    if (count < 1 || contexts.length < count * d) throw new RangeError(`chooseAd: expected ${count} contexts of ${d} numbers, got ${contexts.length} numbers`);
    this.drawTheta(rng);
    let best = 0;
    let bestScore = -Infinity;
    for (let k = 0; k < count; k++) {
      let s = 0;
      for (let i = 0; i < d; i++) s += this.theta[i]! * contexts[k * d + i]!;
      if (s > bestScore) {
        bestScore = s;
        best = k;
      }
    }
    return best;
  }

  /** Adds the reward observed for the ad shown with context `x`. */
  update(x: ArrayLike<number>, reward: number): void {
    this.model.update(x, reward, this.decay);
  }

  /** θ̃ ~ N(θ, σ² A⁻¹) from `rng`, or θ without it. */
  private drawTheta(rng: Rng | undefined): void {
    if (rng) this.model.sampleTheta(this.noise, rng, this.theta);
    else this.theta.set(this.model.theta);
  }
}
