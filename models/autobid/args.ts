/**
 * The arguments of the offline agents `bc` and `iql` (see bc.ts and iql.ts for
 * the algorithms). Kept apart from the training code so that configs validate
 * without loading TensorFlow.js.
 */
import { z } from 'zod';

/** Arguments of `bc`. */
export const bcSchema = z
  .object({
    kind: z.literal('bc'),
    dataset: z.string().min(1).describe('path of a transitions dataset (bidgym-autobid-transitions JSON Lines), relative to the config file'),
    hidden: z.array(z.number().int().positive()).default([32, 32]).describe('hidden layer widths'),
    learningRate: z.number().positive().default(1e-3).describe('Adam step size'),
    batchSize: z.number().int().positive().default(256).describe('transitions per gradient step'),
    steps: z.number().int().positive().default(3000).describe('gradient steps'),
    maxFactor: z.number().positive().default(5).describe('largest α / cpa the policy may bid'),
  })
  .strict();
export type BcArgs = z.infer<typeof bcSchema>;

/** Arguments of `iql`. */
export const iqlSchema = z
  .object({
    kind: z.literal('iql'),
    dataset: z.string().min(1).describe('path of a transitions dataset (bidgym-autobid-transitions JSON Lines), relative to the config file'),
    hidden: z.array(z.number().int().positive()).default([32, 32]).describe('hidden layer widths of V, Q₁, Q₂ and π'),
    learningRate: z.number().positive().default(1e-3).describe('Adam step size of every network'),
    batchSize: z.number().int().positive().default(256).describe('transitions per gradient step'),
    steps: z.number().int().positive().default(3000).describe('gradient steps'),
    discount: z.number().min(0).max(1).default(0.99).describe('γ'),
    expectile: z.number().gt(0.5).lt(1).default(0.7).describe('τ of the expectile regression of V (0.5 would be the mean: SARSA)'),
    temperature: z.number().min(0).default(3).describe('β of the advantage weights exp(β A)'),
    tau: z.number().gt(0).max(1).default(0.005).describe('Polyak rate of the target critics'),
    reward: z.enum(['score', 'expected-score']).default('score').describe('score: the dataset reward (realised conversions); expected-score: rebuilt from expected conversions'),
    maxFactor: z.number().positive().default(5).describe('largest α / cpa the policy may bid'),
  })
  .strict();
export type IqlArgs = z.infer<typeof iqlSchema>;
