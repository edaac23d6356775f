/**
 * The default world looks like display advertising: the ads users are shown are
 * clicked at 0.2–3%, a click converts at a few percent, and what a user did
 * (their history) still moves their click probability a lot.
 */
import { describe, expect, it } from 'vitest';
import { Market } from '../../env/market.js';
import { OBS } from '../../env/observation.js';
import { rng } from '../../env/rng.js';
import { marketSpec, resolveConfig } from '../../experiments/config.js';

function defaultMarket(seed: number): Market {
  const cfg = resolveConfig({
    name: 'default-world',
    auctionsPerEpisode: 40_000,
    users: {},
    exchange: { mechanism: 'second-price' },
    bidders: [{ id: 'a', copies: 4, agent: { kind: 'truthful' }, value: { kind: 'per-click', amount: 1 } }],
  });
  return new Market(marketSpec(cfg), rng(seed));
}

describe('the default world', () => {
  for (const seed of [1, 2]) {
    it(`seed ${seed}: shown ads are clicked at 0.2–3%, clicks convert at 1–10%, and history matters`, () => {
      const m = defaultMarket(seed);
      const pop = m.population!;
      // One episode to let the users live a little, then measure.
      let shown = 0;
      let expected = 0;
      let clicks = 0;
      let conversions = 0;
      let cvrSum = 0;
      for (let ep = 0; ep < 2; ep++) {
        m.resetEpisode();
        shown = expected = clicks = conversions = cvrSum = 0;
        while (!m.done) {
          const n = m.prepare();
          for (let k = 0; k < n; k++) m.bids[m.eligible[k]!] = m.observations[m.eligible[k]!]![OBS.value]!;
          m.clear();
          for (let b = 0; b < m.nBidders; b++) {
            if (!m.won[b]) continue;
            shown++;
            expected += m.valueWon[b]!;
            clicks += m.clicks[b]!;
            conversions += m.conversions[b]!;
            cvrSum += pop.trueCvr(m.user, m.ad[b]!);
          }
        }
      }
      const ctr = expected / shown;
      expect(shown).toBe(40_000);
      expect(ctr).toBeGreaterThanOrEqual(0.002);
      expect(ctr).toBeLessThanOrEqual(0.03);
      // The realised clicks agree with the expected rate (Poisson: 4 standard deviations).
      expect(Math.abs(clicks - expected)).toBeLessThan(4 * Math.sqrt(expected));
      const cvr = cvrSum / shown;
      expect(cvr).toBeGreaterThanOrEqual(0.01);
      expect(cvr).toBeLessThanOrEqual(0.1);
      expect(conversions).toBeLessThanOrEqual(clicks);

      // History matters: the same users and ads with their histories emptied click far less often
      // on the ads they were shown than with their histories (the attention term).
      let withHistory = 0;
      let withoutHistory = 0;
      const cat = m.catalogue!;
      for (let u = 0; u < 2000; u++) {
        if (pop.historyLen[u] === 0) continue;
        const ad = pop.bestAd(u, u % cat.advertisers);
        withHistory += pop.trueCtr(u, ad);
        const len = pop.historyLen[u]!;
        pop.historyLen[u] = 0;
        withoutHistory += pop.trueCtr(u, ad);
        pop.historyLen[u] = len;
      }
      console.log(`default world, seed ${seed}: shown CTR ${(100 * ctr).toFixed(2)}%, CVR ${(100 * cvr).toFixed(2)}%, CTR with / without history ${(withHistory / withoutHistory).toFixed(2)}`);
      expect(withHistory).toBeGreaterThan(3 * withoutHistory);
    });
  }
});
