/**
 * The one place where a bidder's agent gets its context (AgentContext): the
 * runner (`bidgym run`, sweeps, workers) and `makeEnv` (index.ts) both build
 * their agents here, so a learning rival made through `makeEnv` is the same
 * agent, with the same value scale and the same streams, as in replication 0 of
 * `bidgym run` with that seed.
 */
import type { Agent, AgentContext } from '../agents/core.js';
import type { Rng } from '../env/rng.js';
import { createAgent } from './agent-registry.js';
import { valueScale as valueScaleOf, type ResolvedConfig } from './config.js';

export { valueScaleOf };

/**
 * The context of bidder `i`'s agent in a replication.
 * @param rep the replication's stream (`rng(seed).stream('replication:r')`); the agent initialises from `bidder:<id>/init` under it
 */
export function agentContext(cfg: ResolvedConfig, i: number, rep: Rng, valueScale = valueScaleOf(cfg)): AgentContext {
  const b = cfg.bidders[i]!;
  return {
    id: b.id,
    budget: b.budget,
    auctionsPerEpisode: cfg.auctionsPerEpisode,
    mechanism: cfg.exchange.mechanism,
    slots: cfg.exchange.slots,
    slotWeights: cfg.exchange.slotWeights,
    reservePrice: cfg.exchange.reservePrice,
    valueScale,
    rng: rep.stream(`bidder:${b.id}`).stream('init'),
  };
}

/**
 * Every bidder's agent for a replication, in the config's bidder order.
 * @example const agents = createAgents(cfg, rng(cfg.seed).stream('replication:0'))
 */
export function createAgents(cfg: ResolvedConfig, rep: Rng): Agent[] {
  const valueScale = valueScaleOf(cfg);
  return cfg.bidders.map((b, i) => createAgent(b.agent, agentContext(cfg, i, rep, valueScale)));
}
