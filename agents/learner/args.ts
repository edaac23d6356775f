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

/** Fields every learning agent shares: its actions (bid multipliers), features and budget handling. */
export const learnerFields = {
  multipliers: z
    .array(z.number().min(0).max(100))
    .min(2)
    .default([0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1, 1.1, 1.2, 1.3, 1.4, 1.5])
    .refine((m) => m.every((x, i) => i === 0 || x > m[i - 1]!), { message: 'expected increasing multipliers' })
    .describe('the actions: bid = multiplier × value (shading factors), increasing'),
  features: z
    .array(z.enum(featureNames))
    .min(1)
    .refine((f) => new Set(f).size === f.length, { message: 'expected each feature at most once' })
    .nullable()
    .default(null)
    .describe('observation features the agent reads; null = value (plus budgetLeft and timeLeft when a budget is not paced)'),
  pacing: z.boolean().default(true).describe('with a budget: divide bids by the pacing price of money λ(o) and learn from the Lagrangian reward (false: learn to spend from budgetLeft/timeLeft in the state)'),
  pacingGain: z.number().min(0).max(100).default(1.5).describe('gain κ of the pacing rule log λ = log λ₀ + κ (timeLeft − budgetLeft)'),
};

/** Arguments every learner takes (its config fields from {@link learnerFields}, defaults filled). */
export type LearnerArgs = z.output<z.ZodObject<typeof learnerFields>>;

/**
 * The `discount` field of the learners that bootstrap or discount returns
 * (rules.ts resolves "auto").
 * @param doc the field's one-line doc
 */
export function discountField(doc: string) {
  return z.union([z.number().min(0).max(1), z.literal('auto')]).default('auto').describe(doc);
}

/** Fields of the linear contextual bandits (linucb.ts, thompson.ts). */
export const banditFields = {
  degree: z.union([z.literal(1), z.literal(2)]).default(2).describe('context: [1, x] (1) or [1, x, x²] (2)'),
  regularisation: z.number().gt(0).default(1).describe('ridge prior precision λ of each arm'),
  decay: z.number().gt(0).max(1).default(1).describe('forgetting factor per update (1 = none; < 1 tracks changing rivals)'),
};
