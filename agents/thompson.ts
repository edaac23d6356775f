/**
 * Thompson sampling over bid multipliers with Bayesian linear regression per
 * arm (Agrawal & Goyal, "Thompson Sampling for Contextual Bandits with Linear
 * Payoffs", 2013), and a Thompson-sampling ad allocator, both on the
 * linear-bandit core (bandit.ts) with the posterior-sampling scoring rule.
 *
 * Bidder: each multiplier (arm) a has the posterior N(θ_a, σ² A_a⁻¹) of a
 * ridge regression of the reward on x = [1, features, features²] (linear.ts).
 * Each auction it draws θ̃_a from every arm's posterior, with normal draws from
 * the exploration stream given to act(), plays a* = argmax_a θ̃_aᵀx and updates
 * arm a* with the reward (divided by the value scale; with a budget, the
 * Lagrangian reward of learner/budget-pacer.ts). Evaluation plays the posterior mean.
 *
 * Allocator ({@link ThompsonAllocator}): one shared posterior over per-ad
 * context vectors; `chooseAd` draws θ̃ once and shows the ad with the highest
 * θ̃ᵀx_ad.
 */
import { z } from 'zod';
import type { LearnerArgsOf } from './learner/args.js';
import { banditAgentSchema, banditAllocatorSchema, LinearAllocator, LinearBanditAgent, ThompsonRule, type LinearAllocatorArgs } from './bandit.js';
import type { AgentContext } from './core.js';

/** `thompson`: Thompson sampling with Bayesian linear regression per multiplier (config `bidders[i].agent`; the shared fields are in bandit.ts). */
export const thompsonSchema = banditAgentSchema('thompson', {
  noise: z.number().gt(0).default(0.5).describe('reward noise standard deviation, in units of the value scale'),
});

/** Arguments of {@link ThompsonAgent}: its config fields, defaults filled. */
export type ThompsonArgs = LearnerArgsOf<z.output<typeof thompsonSchema>>;

/** Thompson-sampling bidder. @example new ThompsonAgent({ ...defaults }, ctx) */
export class ThompsonAgent extends LinearBanditAgent {
  declare readonly args: ThompsonArgs;
  constructor(args: ThompsonArgs, ctx: AgentContext) {
    super('thompson', args, ctx, new ThompsonRule(args.noise));
  }
}

/** `thompson` allocator: which ad of the catalogue to show (config `bidders[i].allocator`). */
export const thompsonAllocatorSchema = banditAllocatorSchema('thompson', {
  noise: z.number().positive().default(0.1).describe('posterior scale of the sampled weights'),
});

/** The allocator's defaults (declared once, in its schema). */
const ALLOCATOR_DEFAULTS = thompsonAllocatorSchema.parse({ kind: 'thompson' });

/** Arguments of {@link ThompsonAllocator}; omitted ones take the config defaults. */
export interface ThompsonAllocatorArgs extends LinearAllocatorArgs {
  /** Reward noise σ (default 0.1, as in configs). */
  noise?: number;
}

/**
 * Chooses which ad of a catalogue to show by Thompson sampling over per-ad
 * contexts with one shared linear model.
 *
 * @example
 * const alloc = new ThompsonAllocator({ dimension: 16 });
 * const k = alloc.chooseAd(contexts, nAds, rng.stream('allocator'));   // null instead of a stream: the posterior mean
 * alloc.update(contexts.subarray(k * 16, k * 16 + 16), clicked ? 1 : 0);
 */
export class ThompsonAllocator extends LinearAllocator<ThompsonRule> {
  constructor(args: ThompsonAllocatorArgs) {
    super(args, new ThompsonRule(args.noise ?? ALLOCATOR_DEFAULTS.noise), ALLOCATOR_DEFAULTS);
  }
  /** Reward noise σ. */
  get noise(): number {
    return this.rule.noise;
  }
}
