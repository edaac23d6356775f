/**
 * LinUCB over bid multipliers (Li, Chu, Langford & Schapire, "A Contextual-Bandit
 * Approach to Personalized News Article Recommendation", 2010, Algorithm 1, the
 * disjoint model), and a LinUCB ad allocator, both on the linear-bandit core
 * (bandit.ts) with the upper-confidence scoring rule.
 *
 * Bidder: each multiplier (arm) a has a ridge regression of the reward on the
 * context x = [1, features, features²] (linear.ts, features.ts). Each auction it
 * plays
 *   a* = argmax_a θ_aᵀx + α · √(xᵀ A_a⁻¹ x)
 * and updates arm a* with the reward (divided by the value scale; with a budget,
 * the Lagrangian reward of learner/budget-pacer.ts). The bonus shrinks as an
 * arm's data grows, so exploration fades by itself: no ε schedule. Evaluation
 * plays the posterior mean (α = 0).
 *
 * Allocator ({@link LinUcbAllocator}): one shared ridge model over per-ad context
 * vectors (e.g. the user's interest times the ad's embedding); `chooseAd` picks
 * the ad with the highest upper confidence bound on its reward (a click, or its
 * value), `update` adds the outcome of the ad shown.
 */
import { z } from 'zod';
import type { LearnerArgsOf } from './learner/args.js';
import { banditAgentSchema, banditAllocatorSchema, LinearAllocator, LinearBanditAgent, UcbRule, type LinearAllocatorArgs } from './bandit.js';
import type { AgentContext } from './core.js';

/** `linucb`: LinUCB over bid multipliers (config `bidders[i].agent`; the shared fields are in bandit.ts). */
export const linucbSchema = banditAgentSchema('linucb', {
  alpha: z.number().min(0).default(0.5).describe('width of the confidence bonus, in reward standard deviations'),
});

/** Arguments of {@link LinUcbAgent}: its config fields, defaults filled. */
export type LinUcbArgs = LearnerArgsOf<z.output<typeof linucbSchema>>;

/** LinUCB bidder. @example new LinUcbAgent({ ...defaults }, ctx) */
export class LinUcbAgent extends LinearBanditAgent {
  declare readonly args: LinUcbArgs;
  constructor(args: LinUcbArgs, ctx: AgentContext) {
    super('linucb', args, ctx, new UcbRule(args.alpha));
  }
}

/** `linucb` allocator: which ad of the catalogue to show (config `bidders[i].allocator`). */
export const linucbAllocatorSchema = banditAllocatorSchema('linucb', {
  alpha: z.number().min(0).default(0.1).describe('width of the upper confidence bonus'),
});

/** The allocator's defaults (declared once, in its schema). */
const ALLOCATOR_DEFAULTS = linucbAllocatorSchema.parse({ kind: 'linucb' });

/** Arguments of {@link LinUcbAllocator}; omitted ones take the config defaults. */
export interface LinUcbAllocatorArgs extends LinearAllocatorArgs {
  /** Width α of the confidence bonus (default 0.1, as in configs). */
  alpha?: number;
}

/**
 * Chooses which ad of a catalogue to show, by LinUCB over per-ad contexts with
 * one shared model (the reward of an ad is θᵀx_ad).
 *
 * @example
 * const alloc = new LinUcbAllocator({ dimension: 16 });
 * const k = alloc.chooseAd(contexts, nAds, explore);   // contexts: nAds × 16, row-major; explore: an Rng, or null for greedy
 * alloc.update(contexts.subarray(k * 16, k * 16 + 16), clicked ? 1 : 0);
 */
export class LinUcbAllocator extends LinearAllocator<UcbRule> {
  constructor(args: LinUcbAllocatorArgs) {
    super(args, new UcbRule(args.alpha ?? ALLOCATOR_DEFAULTS.alpha), ALLOCATOR_DEFAULTS);
  }
  /** Width α of the confidence bonus. */
  get alpha(): number {
    return this.rule.alpha;
  }
}
