/** The one AgentContext builder (experiments/agent-context.ts) the runner and makeEnv share. */
import { describe, expect, it } from 'vitest';
import { rng } from '../../env/rng.js';
import { agentContext, createAgents, valueScaleOf } from '../../experiments/agent-context.js';
import { resolveConfig } from '../../experiments/config.js';
import { tinyMarket } from '../helpers.js';

describe('valueScaleOf', () => {
  it('is the largest value per event (× 0.2, with users) or the top of a uniform range (without)', () => {
    expect(valueScaleOf(resolveConfig(tinyMarket()))).toBeCloseTo(0.4, 14); // per-click 2 with users
    const noUsers = tinyMarket({
      users: undefined,
      bidders: [
        { id: 'a', agent: { kind: 'truthful' }, value: { kind: 'uniform', low: 0, high: 2 } },
        { id: 'b', agent: { kind: 'truthful' }, value: { kind: 'uniform', low: 0, high: 3 } },
      ],
    });
    expect(valueScaleOf(resolveConfig(noUsers))).toBe(3);
    const zero = tinyMarket({ bidders: [{ id: 'a', agent: { kind: 'truthful' }, value: { kind: 'per-click', amount: 0 } }] });
    expect(valueScaleOf(resolveConfig(zero))).toBe(1e-9);
  });
});

describe('agentContext', () => {
  it('gives bidder i its id, budget, the market facts (mechanism, slots, slot weights, reserve), the value scale and the stream bidder:<id>/init of the replication', () => {
    const cfg = resolveConfig(tinyMarket({ exchange: { mechanism: 'gsp', slots: 2, slotWeights: [1, 0.6], reservePrice: 0.05 } }));
    const rep = rng(cfg.seed).stream('replication:1');
    const ctx = agentContext(cfg, 1, rep);
    expect({ ...ctx, rng: ctx.rng.key }).toEqual({
      id: 'b',
      budget: 3,
      auctionsPerEpisode: 300,
      mechanism: 'gsp',
      slots: 2,
      slotWeights: [1, 0.6],
      reservePrice: 0.05,
      valueScale: valueScaleOf(cfg),
      rng: `${cfg.seed}/replication:1/bidder:b/init`,
    });
    expect(createAgents(cfg, rep).map((a) => a.kind)).toEqual(['truthful', 'shaded']);
  });
});
