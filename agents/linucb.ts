/**
 * LinUCB over bid multipliers (Li, Chu, Langford & Schapire, "A Contextual-Bandit
 * Approach to Personalized News Article Recommendation", 2010, Algorithm 1, the
 * disjoint model), and a LinUCB ad allocator.
 *
 * Bidder: each multiplier (arm) a has a ridge regression of the reward on the
 * context x = [1, features, features²] (linear.ts, features.ts). Each auction it
 * plays
 *   a* = argmax_a θ_aᵀx + α · √(xᵀ A_a⁻¹ x)
 * and updates arm a* with the reward (divided by the value scale; with a budget,
 * the Lagrangian reward of budget.ts). The bonus shrinks as an arm's data grows,
 * so exploration fades by itself: no ε schedule. Evaluation plays the posterior
 * mean (α = 0).
 *
 * Allocator ({@link LinUcbAllocator}): one shared ridge model over per-ad context
 * vectors (e.g. the user's interest times the ad's embedding); `chooseAd` picks
 * the ad with the highest upper confidence bound on its reward (a click, or its
 * value), `update` adds the outcome of the ad shown.
 */
import type { Rng } from '../env/rng.js';
import type { Agent, AgentContext, Observation, Policy, Transition } from './core.js';
import { polynomialContext, valueOf } from './features.js';
import { LinearArmPolicy } from './frozen.js';
import { BidShaper, type ShaperArgs } from './learner.js';
import { RidgeModel } from './linear.js';

/** Arguments of {@link LinUcbAgent} (defaults in experiments/agent-schema.ts). */
export interface LinUcbArgs extends ShaperArgs {
  /** Context degree: [1, x] or [1, x, x²]. */
  degree: 1 | 2 | 3;
  /** Prior precision λ of each arm's ridge regression. */
  regularisation: number;
  /** Forgetting factor per update, in (0, 1]. */
  decay: number;
  /** Width α of the confidence bonus. */
  alpha: number;
}

/** LinUCB bidder. @example new LinUcbAgent({ ...defaults }, ctx) */
export class LinUcbAgent implements Agent {
  readonly kind = 'linucb';
  training = true;
  readonly shaper: BidShaper;
  readonly arms: RidgeModel[];
  private readonly ctxv: Float64Array;

  constructor(readonly args: LinUcbArgs, ctx: AgentContext) {
    this.shaper = new BidShaper(args, ctx);
    const d = 1 + this.shaper.encoder.size * args.degree;
    this.arms = this.shaper.actionMultipliers.map(() => new RidgeModel(d, args.regularisation));
    this.ctxv = new Float64Array(d);
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
    const alpha = this.training ? this.args.alpha : 0;
    let best = 0;
    let bestScore = -Infinity;
    for (let a = 0; a < this.arms.length; a++) {
      const arm = this.arms[a]!;
      const s = arm.mean(x) + (alpha > 0 ? alpha * arm.width(x) : 0);
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

/** Arguments of {@link LinUcbAllocator}. */
export interface LinUcbAllocatorArgs {
  /** Length of each ad's context vector. */
  dimension: number;
  /** Width α of the confidence bonus (default 1). */
  alpha?: number;
  /** Prior precision λ (default 1). */
  regularisation?: number;
  /** Forgetting factor per update (default 1). */
  decay?: number;
}

/**
 * Chooses which ad of a catalogue to show, by LinUCB over per-ad contexts with
 * one shared model (the reward of an ad is θᵀx_ad).
 *
 * @example
 * const alloc = new LinUcbAllocator({ dimension: 16 });
 * const k = alloc.chooseAd(contexts, nAds);   // contexts: nAds × 16, row-major
 * alloc.update(contexts.subarray(k * 16, k * 16 + 16), clicked ? 1 : 0);
 */
export class LinUcbAllocator {
  readonly model: RidgeModel;
  readonly alpha: number;
  readonly decay: number;
  constructor(args: LinUcbAllocatorArgs) {
    this.model = new RidgeModel(args.dimension, args.regularisation ?? 1);
    this.alpha = args.alpha ?? 1;
    this.decay = args.decay ?? 1;
    if (!(this.alpha >= 0)) throw new RangeError(`alpha: expected a number ≥ 0, got ${this.alpha}`);
  }

  /**
   * Index of the ad to show.
   * @param contexts `count × dimension` context vectors, row-major
   * @param count number of candidate ads (≥ 1)
   * @param explore false = the posterior mean only (evaluation)
   */
  chooseAd(contexts: Float64Array, count: number, explore = true): number {
    const d = this.model.d;
    if (count < 1 || contexts.length < count * d) throw new RangeError(`chooseAd: expected ${count} contexts of ${d} numbers, got ${contexts.length} numbers`);
    let best = 0;
    let bestScore = -Infinity;
    for (let k = 0; k < count; k++) {
      const x = contexts.subarray(k * d, k * d + d);
      const s = this.model.mean(x) + (explore ? this.alpha * this.model.width(x) : 0);
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
}
