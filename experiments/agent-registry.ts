/**
 * Agent kind → factory. The only place where a config spec becomes an agent
 * (a typed record, never objects built from strings).
 */
import type { Agent, AgentContext } from '../agents/core.js';
import { ConstantAgent, RandomAgent, ShadedAgent, TruthfulAgent } from '../agents/baselines.js';
import { ActorCriticAgent } from '../agents/actor-critic.js';
import { DqnAgent } from '../agents/dqn.js';
import { LinUcbAgent } from '../agents/linucb.js';
import { PacingAgent } from '../agents/pacing-agent.js';
import { loadPolicy, PolicyAgent } from '../agents/policy.js';
import { QLearningAgent } from '../agents/q-learning.js';
import { ReinforceAgent } from '../agents/reinforce.js';
import { ThompsonAgent } from '../agents/thompson.js';
import { InputError } from '../env/errors.js';
import type { AgentSpec } from './agent-schema.js';

type Factories = { [K in AgentSpec['kind']]: (spec: Extract<AgentSpec, { kind: K }>, ctx: AgentContext) => Agent };

/** Factories of every agent kind. */
export const agentFactories: Factories = {
  truthful: () => new TruthfulAgent(),
  shaded: (s) => new ShadedAgent(s),
  constant: (s) => new ConstantAgent(s),
  random: (s, ctx) => new RandomAgent(s, `${ctx.rng.key}/policy`),
  pacing: (s, ctx) => new PacingAgent(s, ctx),
  'q-learning': (s, ctx) => new QLearningAgent(s, ctx),
  dqn: (s, ctx) => new DqnAgent(s, ctx),
  reinforce: (s, ctx) => new ReinforceAgent(s, ctx),
  'actor-critic': (s, ctx) => new ActorCriticAgent(s, ctx),
  linucb: (s, ctx) => new LinUcbAgent(s, ctx),
  thompson: (s, ctx) => new ThompsonAgent(s, ctx),
  policy: (s) => new PolicyAgent(loadPolicy(s.path)),
  // The paper's methods bid from a log's training statistics: experiments/log-replication.ts builds them.
  'lin-bid': () => logOnly('lin-bid'),
  mcpc: () => logOnly('mcpc'),
  rlb: () => logOnly('rlb'),
  'ss-mdp': () => logOnly('ss-mdp'),
};

function logOnly(kind: string): never {
  throw new InputError(`agent kind "${kind}" replays a bid log: it needs a log market (a log: block in the config)`);
}

/** Builds the agent a (validated) spec describes. */
export function createAgent(spec: AgentSpec, ctx: AgentContext): Agent {
  const make = agentFactories[spec.kind] as (s: AgentSpec, c: AgentContext) => Agent;
  return make(spec, ctx);
}
