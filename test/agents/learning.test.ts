/**
 * Learning outcomes against known optima, through the real market and runner.
 *
 * First price, values U[0, 1], one rival bidding v′/2 with v′ ~ U[0, 1]: a bid
 * b ≤ 1/2 wins with probability 2b, so the expected utility (v − b) · 2b is
 * maximised at b = v/2 — bid/value 0.5 — and is then v²/2, 1/6 per auction on
 * average. Second price against a truthful rival: bidding the value is dominant,
 * bid/value 1, utility E[(v − v′)⁺] = 1/6 per auction.
 *
 * Values are drawn from each bidder's own stream, so the best response run with
 * the same seed faces exactly the same draws: its realised utility is the
 * optimum the learner is held to. In second price the utility is flat above
 * bid/value 1 (overbidding only loses when the rival's value falls between the
 * value and the bid), hence the wider tolerance there.
 */
import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../../experiments/config.js';
import { runReplication } from '../../experiments/runner.js';

const LEARNERS = ['q-learning', 'reinforce', 'actor-critic', 'dqn', 'linucb', 'thompson'] as const;

function config(agent: string | Record<string, unknown>, mechanism: 'first-price' | 'second-price', seed: number) {
  const spec = typeof agent === 'string' ? { kind: agent } : agent;
  return resolveConfig({
    name: `learn-${String(spec.kind)}-${mechanism}`,
    seed,
    replications: 1,
    episodes: 30,
    evalEpisodes: 2,
    auctionsPerEpisode: 5000,
    exchange: { mechanism },
    bidders: [
      { id: 'learner', agent: spec, value: { kind: 'uniform', low: 0, high: 1 } },
      { id: 'rival', agent: mechanism === 'first-price' ? { kind: 'shaded', factor: 0.5 } : { kind: 'truthful' }, value: { kind: 'uniform', low: 0, high: 1 } },
    ],
  });
}

/** Realised utility per auction of the best response on the same draws. */
async function optimum(mechanism: 'first-price' | 'second-price', seed: number): Promise<number> {
  const best = mechanism === 'first-price' ? { kind: 'shaded', factor: 0.5 } : { kind: 'truthful' };
  const r = await runReplication(config(best, mechanism, seed), 0);
  return r.bidders.learner!.utilityPerAuction!;
}

describe('learners reach the best response', () => {
  for (const kind of LEARNERS) {
    it(`${kind}: first price against v/2 → bid/value ≈ 0.5`, async () => {
      const r = await runReplication(config(kind, 'first-price', 1), 0);
      const b = r.bidders.learner!;
      const best = await optimum('first-price', 1);
      console.log(`${kind} first-price: bid/value ${b.bidToValue!.toFixed(3)}, utility/auction ${b.utilityPerAuction!.toFixed(4)} (best response ${best.toFixed(4)})`);
      expect(Math.abs(b.bidToValue! - 0.5)).toBeLessThan(0.1);
      expect(b.utilityPerAuction!).toBeGreaterThan(0.97 * best);
    });

    it(`${kind}: second price against a truthful rival → bid/value ≈ 1`, async () => {
      const r = await runReplication(config(kind, 'second-price', 2), 0);
      const b = r.bidders.learner!;
      const best = await optimum('second-price', 2);
      console.log(`${kind} second-price: bid/value ${b.bidToValue!.toFixed(3)}, utility/auction ${b.utilityPerAuction!.toFixed(4)} (best response ${best.toFixed(4)})`);
      expect(Math.abs(b.bidToValue! - 1)).toBeLessThan(0.15);
      expect(b.utilityPerAuction!).toBeGreaterThan(0.97 * best);
    });
  }

  it('is deterministic: the same config and seed give identical results and policies', async () => {
    for (const kind of ['q-learning', 'dqn', 'thompson'] as const) {
      const cfg = { ...config(kind, 'first-price', 3), episodes: 3, auctionsPerEpisode: 1000 };
      const [a, b] = [await runReplication(cfg, 0), await runReplication(cfg, 0)];
      expect(a.bidders).toEqual(b.bidders);
      expect(a.episodeRows).toEqual(b.episodeRows);
      expect(a.policies.learner!.params()).toEqual(b.policies.learner!.params());
    }
  });
});
