/**
 * Config schemas of the bidding agents: `bidders[i].agent`, a union discriminated
 * on `kind`. Every field has a working default; unknown keys are errors.
 */
import { z } from 'zod';
import { OBS_FEATURES, type ObsFeature } from '../env/observation.js';

/** `truthful`: bid the value (value × pCTR, or the private value). */
export const truthfulSchema = z.object({ kind: z.literal('truthful') }).strict();

/** `shaded`: bid `factor × value`. */
export const shadedSchema = z
  .object({
    kind: z.literal('shaded'),
    factor: z.number().min(0).max(100).default(0.8).describe('bid multiplier on the value (0.8 = bid 80% of the value)'),
  })
  .strict();

/** `constant`: bid a fixed amount. */
export const constantSchema = z
  .object({
    kind: z.literal('constant'),
    amount: z.number().min(0).default(0.5).describe('bid, currency units'),
  })
  .strict();

/** `random`: bid uniformly in [low, high). */
export const randomSchema = z
  .object({
    kind: z.literal('random'),
    low: z.number().min(0).default(0).describe('lowest bid, currency units'),
    high: z.number().min(0).default(1).describe('highest bid, currency units'),
  })
  .strict()
  .refine((a) => a.low <= a.high, { message: 'expected low ≤ high', path: ['low'] });

/** `pacing`: adaptive pacing of the budget, bid = value / (1 + μ). */
export const pacingSchema = z
  .object({
    kind: z.literal('pacing'),
    rate: z.number().positive().default(0.5).describe('step size of the pacing multiplier: μ moves by rate × √horizon × (share of budget spent − share of time elapsed) per auction'),
    maxMultiplier: z.number().positive().default(20).describe('largest pacing multiplier μ'),
    minMultiplier: z.number().gt(-1).max(0).default(-0.2).describe('smallest pacing multiplier μ (< 0: behind schedule, bid up to value / (1 + μ_min), so that a budget that binds is spent)'),
  })
  .strict();

/** Observation feature names a learner may read (see env/observation.ts). */
const featureNames = OBS_FEATURES.map((f) => f.name) as [ObsFeature, ...ObsFeature[]];

/** `[from, from + step, …, to]`, rounded to 1e-9. */
function grid(from: number, to: number, step: number): number[] {
  const n = Math.round((to - from) / step);
  return Array.from({ length: n + 1 }, (_, i) => Math.round((from + i * step) * 1e9) / 1e9);
}

/** Fields every learning agent shares: its actions (bid multipliers), features and budget handling. */
const learnerFields = {
  multipliers: z
    .array(z.number().min(0).max(100))
    .min(2)
    .default(grid(0, 1.25, 0.05))
    .refine((m) => m.every((x, i) => i === 0 || x > m[i - 1]!), { message: 'expected increasing multipliers' })
    .describe('actions bid = multiplier × value (shading factors), increasing'),
  bidLevels: z
    .array(z.number().gt(0).max(100))
    .default(grid(0.05, 1, 0.05))
    .refine((m) => m.every((x, i) => i === 0 || x > m[i - 1]!), { message: 'expected increasing bid levels' })
    .describe('more actions bid = level × the value scale the learner measures (the 95th percentile of its first 500 values): bids that do not grow with the value, increasing; [] = multipliers only'),
  features: z
    .array(z.enum(featureNames))
    .min(1)
    .nullable()
    .default(null)
    .describe('observation features the agent reads; null = value (plus budgetLeft and timeLeft when a budget is not paced)'),
  pacing: z.boolean().default(true).describe('with a budget: divide bids by the pacing price of money λ(o) and learn from the Lagrangian reward (false: learn to spend from budgetLeft/timeLeft in the state)'),
  pacingGain: z.number().min(0).max(100).default(1.5).describe('gain κ of the pacing rule log λ = max(log λ_min, log λ₀ + κ (timeLeft − budgetLeft))'),
  minLambda: z.number().gt(0).max(1).default(0.8).describe('floor λ_min of the price of money: behind schedule, a budgeted learner values a win up to 1/λ_min × its value, so that it spends a budget that binds (1 = never above the value)'),
};

/** `q-learning`: tabular Q-learning over bid multipliers (agents/q-learning.ts). */
export const qLearningSchema = z
  .object({
    kind: z.literal('q-learning'),
    ...learnerFields,
    valueBuckets: z.number().int().min(1).max(1000).default(8).describe('buckets of value-like features over [0, 1.5] × the value scale'),
    fractionBuckets: z.number().int().min(1).max(1000).default(5).describe('buckets of fraction features (budgetLeft, timeLeft) over [0, 1]'),
    discount: z.union([z.number().min(0).max(1), z.literal('auto')]).default('auto').describe('discount γ; auto = 1 when the budget is learnt from the state, else 0'),
    learningRate: z.number().gt(0).max(1).default(1).describe('α₀ of α(s, a) = max(α_min, α₀ / (1 + visits)^ω)'),
    learningRatePower: z.number().min(0).max(1).default(0.7).describe('ω of the learning-rate schedule (0 = constant)'),
    minLearningRate: z.number().min(0).max(1).default(0.01).describe('floor α_min of the learning rate'),
    epsilonStart: z.number().min(0).max(1).default(1).describe('exploration rate ε at a state’s first visit'),
    epsilonEnd: z.number().min(0).max(1).default(0.02).describe('floor of ε'),
    epsilonHalfLife: z.number().positive().default(50).describe('visits of a state after which its ε has halved'),
  })
  .strict();

/** `dqn`: deep Q-network with replay, target network and double-DQN targets (agents/dqn.ts). */
export const dqnSchema = z
  .object({
    kind: z.literal('dqn'),
    ...learnerFields,
    hidden: z.array(z.number().int().min(1).max(1024)).min(1).max(4).default([32, 32]).describe('hidden layer widths'),
    learningRate: z.number().gt(0).max(1).default(1e-3).describe('Adam step size'),
    discount: z.union([z.number().min(0).max(1), z.literal('auto')]).default('auto').describe('discount γ; auto = 1 when the budget is learnt from the state, else 0'),
    replaySize: z.number().int().min(1).default(20_000).describe('replay buffer capacity, transitions'),
    batchSize: z.number().int().min(1).max(4096).default(32).describe('minibatch size'),
    trainEvery: z.number().int().min(1).default(4).describe('auctions between gradient steps'),
    warmup: z.number().int().min(0).default(500).describe('transitions in the buffer before learning starts'),
    targetUpdate: z.number().int().min(1).default(500).describe('gradient steps between target-network copies'),
    epsilonStart: z.number().min(0).max(1).default(1).describe('initial exploration rate'),
    epsilonEnd: z.number().min(0).max(1).default(0.02).describe('final exploration rate'),
    epsilonDecay: z.number().int().min(1).default(20_000).describe('auctions over which ε decays linearly'),
  })
  .strict();

/** `reinforce`: REINFORCE with a learned baseline, categorical policy over multipliers (agents/reinforce.ts). */
export const reinforceSchema = z
  .object({
    kind: z.literal('reinforce'),
    ...learnerFields,
    hidden: z.array(z.number().int().min(1).max(1024)).min(1).max(4).default([32]).describe('hidden layer widths of the policy and baseline networks'),
    learningRate: z.number().gt(0).max(1).default(5e-3).describe('Adam step size of the policy'),
    baselineLearningRate: z.number().gt(0).max(1).default(1e-2).describe('Adam step size of the baseline'),
    discount: z.union([z.number().min(0).max(1), z.literal('auto')]).default('auto').describe('discount γ of the returns; auto = 1 when the budget is learnt from the state, else 0'),
    batchSize: z.number().int().min(1).default(64).describe('auctions per policy-gradient step (without discounting); with γ > 0 one step per episode'),
    entropy: z.number().min(0).default(0.01).describe('weight of the entropy bonus'),
  })
  .strict();

/** `actor-critic`: advantage actor-critic (A2C) with a one-step TD critic (agents/actor-critic.ts). */
export const actorCriticSchema = z
  .object({
    kind: z.literal('actor-critic'),
    ...learnerFields,
    hidden: z.array(z.number().int().min(1).max(1024)).min(1).max(4).default([32]).describe('hidden layer widths of the actor and critic networks'),
    learningRate: z.number().gt(0).max(1).default(5e-3).describe('Adam step size of the actor'),
    criticLearningRate: z.number().gt(0).max(1).default(1e-2).describe('Adam step size of the critic'),
    discount: z.union([z.number().min(0).max(1), z.literal('auto')]).default('auto').describe('discount γ; auto = 1 when the budget is learnt from the state, else 0'),
    batchSize: z.number().int().min(1).default(32).describe('transitions per update (n-step batch)'),
    entropy: z.number().min(0).default(0.01).describe('weight of the entropy bonus'),
  })
  .strict();

/** Fields of the linear contextual bandits. */
const banditFields = {
  degree: z.union([z.literal(1), z.literal(2), z.literal(3)]).default(2).describe('context: [1, x] (1), [1, x, x²] (2) or [1, x, x², x³] (3)'),
  regularisation: z.number().gt(0).default(1).describe('ridge prior precision λ of each arm'),
  decay: z.number().gt(0).max(1).default(1).describe('forgetting factor per update (1 = none; < 1 tracks changing rivals)'),
};

/** `linucb`: LinUCB over bid multipliers (agents/linucb.ts). */
export const linucbSchema = z
  .object({
    kind: z.literal('linucb'),
    ...learnerFields,
    ...banditFields,
    alpha: z.number().min(0).default(0.5).describe('width of the confidence bonus, in reward standard deviations'),
  })
  .strict();

/** `thompson`: Thompson sampling with Bayesian linear regression per multiplier (agents/thompson.ts). */
export const thompsonSchema = z
  .object({
    kind: z.literal('thompson'),
    ...learnerFields,
    ...banditFields,
    noise: z.number().gt(0).default(0.5).describe('reward noise standard deviation, in units of the value scale'),
  })
  .strict();

/** `policy`: a frozen policy loaded from a policy file (no learning; `bidgym evaluate`). */
export const policyFileSchema = z
  .object({
    kind: z.literal('policy'),
    path: z.string().min(1).describe('path of the policy file (policies/<bidder>.json of a run)'),
  })
  .strict();

/**
 * All agent schemas. Learning agents add theirs here (one entry per kind).
 */
export const agentSchemas = [
  truthfulSchema,
  shadedSchema,
  constantSchema,
  randomSchema,
  pacingSchema,
  qLearningSchema,
  dqnSchema,
  reinforceSchema,
  actorCriticSchema,
  linucbSchema,
  thompsonSchema,
  policyFileSchema,
] as const;

/** `bidders[i].agent` */
export const agentSchema = z.discriminatedUnion('kind', [...agentSchemas]);

/** A validated agent spec. */
export type AgentSpec = z.infer<typeof agentSchema>;

/** The agent kinds, for error messages and docs. */
export const agentKinds: readonly string[] = agentSchemas.map((s) => s.shape.kind.value);
