/**
 * Agent kind → factory. The only place where a config spec becomes an agent
 * (a typed record, never objects built from strings).
 */
import type { Agent, AgentContext } from '../agents/core.js';
import { ConstantAgent, RandomAgent, ShadedAgent, TruthfulAgent } from '../agents/baselines.js';
import { PacingAgent } from '../agents/pacing.js';
import type { AgentSpec } from './agent-schema.js';

type Factories = { [K in AgentSpec['kind']]: (spec: Extract<AgentSpec, { kind: K }>, ctx: AgentContext) => Agent };

/** Factories of every agent kind. */
export const agentFactories: Factories = {
  truthful: () => new TruthfulAgent(),
  shaded: (s) => new ShadedAgent(s),
  constant: (s) => new ConstantAgent(s),
  random: (s, ctx) => new RandomAgent(s, `${ctx.rng.key}/policy`),
  pacing: (s, ctx) => new PacingAgent(s, ctx),
};

/** Builds the agent a (validated) spec describes. */
export function createAgent(spec: AgentSpec, ctx: AgentContext): Agent {
  const make = agentFactories[spec.kind] as (s: AgentSpec, c: AgentContext) => Agent;
  return make(spec, ctx);
}
