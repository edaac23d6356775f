/**
 * Simulation checks against textbook auction theory, values i.i.d. U[0,1],
 * through the whole stack (config → market → runner figures).
 */
import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../../experiments/config.js';
import { runReplication } from '../../experiments/runner.js';

async function revenue(exchange: Record<string, unknown>, bidders: unknown[], auctions = 200_000, seed = 1): Promise<number> {
  const cfg = resolveConfig({ name: 'theory', seed, replications: 1, episodes: 0, evalEpisodes: 1, auctionsPerEpisode: auctions, exchange, bidders });
  const r = await runReplication(cfg, 0);
  return r.market.revenuePerAuction!;
}

const uniform = { kind: 'uniform', low: 0, high: 1 };
const truthful = (n: number) => [{ id: 'b', copies: n, agent: { kind: 'truthful' }, value: uniform }];

describe('textbook results', () => {
  it('revenue equivalence: second price (truthful) and first price at b = (n−1)/n·v both give (n−1)/(n+1)', async () => {
    for (const n of [2, 3, 5]) {
      const expected = (n - 1) / (n + 1);
      const sp = await revenue({ mechanism: 'second-price' }, truthful(n));
      const fp = await revenue({ mechanism: 'first-price' }, [{ id: 'b', copies: n, agent: { kind: 'shaded', factor: (n - 1) / n }, value: uniform }]);
      expect(Math.abs(sp - expected)).toBeLessThan(0.006);
      expect(Math.abs(fp - expected)).toBeLessThan(0.006);
    }
  });

  it('Myerson reserve: with two bidders the revenue 1/3 + r² − 4r³/3 peaks at r = 1/2 (5/12)', async () => {
    const R = (r: number) => 1 / 3 + r * r - (4 / 3) * r ** 3;
    const got: Record<number, number> = {};
    for (const r of [0, 0.3, 0.5, 0.7]) {
      got[r] = await revenue({ mechanism: 'second-price', reservePrice: r }, truthful(2));
      expect(Math.abs(got[r]! - R(r))).toBeLessThan(0.006);
    }
    expect(got[0.5]).toBeGreaterThan(got[0.3]!);
    expect(got[0.5]).toBeGreaterThan(got[0.7]!);
    expect(got[0.5]).toBeGreaterThan(got[0]!);
  });

  it('GSP vs VCG with truthful bids: E[b₂] + w·E[b₃] vs (1−w)·E[b₂] + 2w·E[b₃] (n = 4, w = 0.5)', async () => {
    // E[k-th highest of n uniforms] = (n + 1 − k)/(n + 1): E b₂ = 3/5, E b₃ = 2/5.
    const ex = { slots: 2, slotWeights: [1, 0.5] };
    const gsp = await revenue({ mechanism: 'gsp', ...ex }, truthful(4));
    const vcg = await revenue({ mechanism: 'vcg', ...ex }, truthful(4));
    expect(Math.abs(gsp - (0.6 + 0.5 * 0.4))).toBeLessThan(0.008);
    // VCG: slot 0 pays (1 − w)·b₂ + w·b₃, slot 1 pays w·b₃.
    expect(Math.abs(vcg - (0.5 * 0.6 + 0.5 * 0.4 + 0.5 * 0.4))).toBeLessThan(0.008);
    expect(gsp).toBeGreaterThan(vcg);
  });

  it('participantsPerAuction: 2 of 6 truthful bidders in second price earn the 2-bidder revenue 1/3', async () => {
    const r = await revenue({ mechanism: 'second-price', participantsPerAuction: 2 }, truthful(6));
    expect(Math.abs(r - 1 / 3)).toBeLessThan(0.006);
  });
});
