/**
 * The config fields every learning bidder shares (its actions, the features it
 * reads, how it handles a budget, and the discount of those that bootstrap), as
 * zod schema pieces. Each learner's file spreads them into its own schema, so a
 * learner's arguments are still declared, with their defaults and docs, where
 * the learner lives.
 */
import { z } from 'zod';
import { OBS_FEATURES, type ObsFeature } from '../../env/observation.js';

/** Observation feature names a learner may read (see env/observation.ts). */
const featureNames = OBS_FEATURES.map((f) => f.name) as [ObsFeature, ...ObsFeature[]];

/** `[from, from + step, …, to]`, rounded to 1e-9. */
function grid(from: number, to: number, step: number): number[] {
  const n = Math.round((to - from) / step);
  return Array.from({ length: n + 1 }, (_, i) => Math.round((from + i * step) * 1e9) / 1e9);
}

/** A refinement of a number list: each entry above the one before it. */
const increasing = (what: string) => [(m: number[]) => m.every((x, i) => i === 0 || x > m[i - 1]!), { message: `expected increasing ${what}` }] as const;

/** Fields every learning agent shares: its actions (bid multipliers), features and budget handling. */
export const learnerFields = {
  multipliers: z
    .array(z.number().min(0).max(100))
    .min(2)
    .default(grid(0, 1.25, 0.05))
    .refine(...increasing('multipliers'))
    .describe('actions bid = multiplier × value (shading factors), increasing'),
  bidLevels: z
    .array(z.number().gt(0).max(100))
    .max(200)
    .default(grid(0.1, 1, 0.1))
    .refine(...increasing('bid levels'))
    .describe('more actions bid = min(level × the value scale the learner measures (the 95th percentile of its first 500 values), value): bids that do not grow with the value; with a paced budget min(level × scale, value) / λ, so they rise as the price of money λ falls; increasing; [] = none (priceLevels add levels of their own)'),
  priceLevels: z
    .array(z.number().gt(0).max(1))
    .max(200)
    .default(grid(0.05, 0.95, 0.1))
    .refine(...increasing('quantiles'))
    .describe('more bid levels, where the competing bids are: one per quantile q of the price to beat (the highest competing bid or the reserve; with several slots every slot\'s) the learner observes in the auctions of its warm-up (scaleSample), at the lowest bid that beats that price (one micro above it); used like bidLevels (capped at the value, divided by λ with a paced budget) and stored in currency in the policy; without a warm-up (scaleSample 0, or a learner that never trains) q × the value scale; increasing, in (0, 1]; [] = none'),
  features: z
    .array(z.enum(featureNames))
    .min(1)
    .refine((f) => new Set(f).size === f.length, { message: 'expected each feature at most once' })
    .nullable()
    .default(null)
    .describe('observation features the agent reads; null = value (plus budgetLeft and timeLeft when a budget is not paced)'),
  pacing: z.boolean().default(true).describe('with a budget: divide bids by the pacing price of money λ(o) and learn from the Lagrangian reward (false: learn to spend from budgetLeft/timeLeft in the state)'),
  pacingGain: z.number().min(0).max(100).default(1).describe('gain κ of the pacing rule log λ = max(log λ_min, log λ₀ + κ ln((timeLeft + 0.01) / (budgetLeft + 0.01))): the price of money rises with the ratio of the time left to the budget left (κ = 1: in proportion to it)'),
  scaleSample: z
    .number()
    .int()
    .min(0)
    .max(1_000_000)
    .default(500)
    .describe('positive values the learner first observes in training (bidding at random, not learning) to measure its value scale, the 95th percentile of them; 0 = use the rough scale the runner passes'),
  counterfactual: z
    .boolean()
    .default(true)
    .describe('learn from what every action would have earned, computed from the competing bids the auction reports: the price to beat in single-slot auctions without a budget; with a paced budget, the price of every slot and the Lagrangian reward (any number of slots); elsewhere, and false: from the action played alone'),
  minLambda: z.number().gt(0).max(1).default(0.5).describe('floor λ_min of the price of money: behind schedule, a budgeted learner values a win up to 1/λ_min × its value, so that it spends a budget that binds (1 = never above the value)'),
};

/** Arguments every learner takes (its config fields from {@link learnerFields}, defaults filled). */
export type LearnerArgs = Omit<z.output<z.ZodObject<typeof learnerFields>>, 'bidLevels' | 'priceLevels' | 'minLambda' | 'scaleSample' | 'counterfactual'> & {
  /** Absent: false (learn from the action played alone). */
  counterfactual?: boolean;
  /** Absent: no bid levels (multipliers only). */
  bidLevels?: number[];
  /** Absent: no price levels. */
  priceLevels?: number[];
  /** Absent: 1 (λ never below 1). */
  minLambda?: number;
  /** Absent: 0 (the runner's scale). */
  scaleSample?: number;
};

/**
 * The arguments type of a learner from its config schema's output: without
 * `kind`, and with the fields added after its first release optional (absent:
 * the behaviour before them: no bid levels or price levels, λ never below 1, the runner's value
 * scale, learning from the action played alone).
 */
export type LearnerArgsOf<T> = Omit<T, 'kind' | 'bidLevels' | 'priceLevels' | 'minLambda' | 'scaleSample' | 'counterfactual'> & { bidLevels?: number[]; priceLevels?: number[]; minLambda?: number; scaleSample?: number; counterfactual?: boolean };

/**
 * The `discount` field of the learners that bootstrap or discount returns
 * (rules.ts resolves "auto").
 * @param doc the field's one-line doc
 */
export function discountField(doc: string) {
  return z.union([z.number().min(0).max(1), z.literal('auto')]).default('auto').describe(doc);
}

/**
 * The `learningRateHalfLife` field of the network learners (dqn.ts,
 * actor-critic.ts): their Adam step size decays harmonically with the
 * transitions learnt from, α_n = α / (1 + n / halfLife) ({@link decayedStepSize}).
 * Adam moves every weight by about α per step whatever the gradient's size, so
 * at a constant α the outputs keep jittering by about α × (the inputs' sum) and
 * the network cannot rank actions whose values differ by less than that.
 */
export const learningRateHalfLifeField = z
  .number()
  .min(0)
  .default(10_000)
  .describe('transitions learnt from after which the Adam step size has halved, α_n = learningRate / (1 + n / learningRateHalfLife): late steps small enough not to swamp the gaps between actions that earn about the same; 0 = constant');

/** The step size after `n` transitions: `learningRate / (1 + n / halfLife)`, or `learningRate` with a half-life of 0 or absent. */
export function decayedStepSize(learningRate: number, n: number, halfLife: number | undefined): number {
  return halfLife !== undefined && halfLife > 0 ? learningRate / (1 + n / halfLife) : learningRate;
}

/** Fields of the linear contextual bandits (linucb.ts, thompson.ts). */
export const banditFields = {
  basis: z
    .enum(['auto', 'polynomial', 'buckets'])
    .default('auto')
    .describe('context of the reward models: polynomial ([1, x, x², …] of `degree`), buckets (one-hot of the value bucket, `valueBuckets` over [0, 1.5] × the value scale; budgetLeft/timeLeft in 5), auto = buckets when the learner learns counterfactually (every arm sees every auction), else polynomial'),
  valueBuckets: z.number().int().min(1).max(1000).default(8).describe('buckets of value-like features over [0, 1.5] × the value scale (basis buckets)'),
  degree: z.union([z.literal(1), z.literal(2), z.literal(3)]).default(2).describe('context: [1, x] (1), [1, x, x²] (2) or [1, x, x², x³] (3)'),
  regularisation: z.number().gt(0).default(1).describe('ridge prior precision λ of each arm'),
  decay: z.number().gt(0).max(1).default(1).describe('forgetting factor per update (1 = none; < 1 tracks changing rivals)'),
};
