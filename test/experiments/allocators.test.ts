/**
 * Learning allocators (contextual bandits choosing which ad of the catalogue to
 * show) against the two known ends: a random ad, and the ad with the highest
 * true CTR (the oracle's best). A lone bidder wins every auction, so its clicks
 * per episode measure only the choice of ads.
 */
import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../../experiments/config.js';
import { runReplication } from '../../experiments/runner.js';

async function clicks(exchangeAllocator: 'best' | 'random', allocator?: { kind: 'linucb' | 'thompson' }): Promise<number> {
  const cfg = resolveConfig({
    name: 'alloc',
    seed: 2,
    replications: 1,
    // About 1.5% of shown ads are clicked in the default world: 40 training episodes give the bandits ~3,000 clicks to learn from.
    episodes: 40,
    evalEpisodes: 3,
    auctionsPerEpisode: 5000,
    users: { count: 3000, adsPerAdvertiser: 12, adSpread: 1.0 },
    exchange: { mechanism: 'second-price', allocator: exchangeAllocator },
    bidders: [{ id: 'me', agent: { kind: 'constant', amount: 1 }, value: { kind: 'per-click', amount: 1 }, ...(allocator ? { allocator } : {}) }],
  });
  return (await runReplication(cfg, 0)).bidders.me!.clicks!;
}

describe('learning allocators', () => {
  it('LinUCB and Thompson sampling learn to show ads that get clicked: most of the way from random to the oracle', async () => {
    const random = await clicks('random');
    const best = await clicks('best');
    expect(best).toBeGreaterThan(random * 1.5);
    for (const kind of ['linucb', 'thompson'] as const) {
      const got = await clicks('random', { kind });
      const share = (got - random) / (best - random);
      console.log(`allocator ${kind}: ${got.toFixed(1)} clicks/episode (random ${random.toFixed(1)}, oracle best ${best.toFixed(1)}): ${(100 * share).toFixed(0)}% of the gap`);
      expect(share).toBeGreaterThan(0.6);
      expect(got).toBeLessThanOrEqual(best * 1.02);
    }
  });

  it('refuses an allocator without users, or for a private-value bidder', () => {
    expect(() =>
      resolveConfig({ name: 'x', exchange: { mechanism: 'second-price' }, bidders: [{ id: 'a', agent: { kind: 'truthful' }, value: { kind: 'uniform' }, allocator: { kind: 'linucb' } }] }),
    ).toThrow(/bidders\[0\]\.allocator: .*needs users/);
  });
});
