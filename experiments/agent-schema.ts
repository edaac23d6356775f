/**
 * Config schemas of the bidding agents: `bidders[i].agent`, a union discriminated
 * on `kind`, and `bidders[i].allocator`. Each agent's schema (its fields,
 * defaults and docs) is declared in the agent's own file under agents/; this
 * file only composes them. Every field has a working default; unknown keys are
 * errors.
 */
import { z } from 'zod';
import { actorCriticSchema } from '../agents/actor-critic.js';
import { constantSchema, randomSchema, shadedSchema, truthfulSchema } from '../agents/baselines.js';
import { dqnSchema } from '../agents/dqn.js';
import { linucbAllocatorSchema, linucbSchema } from '../agents/linucb.js';
import { pacingSchema } from '../agents/pacing-agent.js';
import { qLearningSchema } from '../agents/q-learning.js';
import { reinforceSchema } from '../agents/reinforce.js';
import { thompsonAllocatorSchema, thompsonSchema } from '../agents/thompson.js';
import { logAgentSchemas } from './log-schema.js';

export { actorCriticSchema, constantSchema, dqnSchema, linucbSchema, pacingSchema, qLearningSchema, randomSchema, reinforceSchema, shadedSchema, thompsonSchema, truthfulSchema };

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
  // The paper's methods of log markets (lin-bid, mcpc, rlb, ss-mdp; experiments/log-schema.ts).
  ...logAgentSchemas,
] as const;

/** `bidders[i].agent` */
export const agentSchema = z.discriminatedUnion('kind', [...agentSchemas]);

/** A validated agent spec. */
export type AgentSpec = z.infer<typeof agentSchema>;

/** The agent kinds, for error messages and docs. */
export const agentKinds: readonly string[] = agentSchemas.map((s) => s.shape.kind.value);

/** `bidders[i].allocator`: a contextual bandit choosing which ad of the catalogue to show (default: the exchange's rule). */
export const allocatorSchema = z.discriminatedUnion('kind', [linucbAllocatorSchema, thompsonAllocatorSchema]);

/** A learning allocator spec. */
export type AllocatorSpec = z.output<typeof allocatorSchema>;
