import { describe, expect, it } from 'vitest';
import { makeCatalogue } from '../../env/ads/catalogue.js';
import { rng } from '../../env/rng.js';
import { UserPopulation, type PopulationArgs } from '../../env/users/population.js';
import { resolveConfig } from '../../experiments/config.js';

function population(over: Partial<PopulationArgs> = {}, seed = 1) {
  const u = resolveConfig({ name: 'u', users: { count: 2000, items: 400, ...over }, exchange: { mechanism: 'gsp' }, bidders: [{ id: 'a', copies: 4, agent: { kind: 'truthful' }, value: { kind: 'per-click', amount: 1 } }] }).users!;
  const cat = makeCatalogue({ topics: u.topics, items: u.items, advertisers: 4, adsPerAdvertiser: u.adsPerAdvertiser, adSpread: u.adSpread }, rng(seed).stream('catalogue'));
  return new UserPopulation(u, cat, rng(seed).stream('users'));
}

describe('users', () => {
  it('hold at most 256 bytes each with the defaults', () => {
    expect(population().bytesPerUser()).toBeLessThanOrEqual(256);
  });

  it('arrive in sessions of the configured mean length, with the configured share of new users', () => {
    const pop = population({ sessionLength: 5, coldStartShare: 0.2 });
    let sessions = 0;
    let cold = 0;
    const N = 50_000;
    for (let t = 0; t < N; t++) {
      pop.nextArrival();
      if (pop.sessionDepth === 0) {
        sessions++;
        if (pop.historyLen[pop.current] === 0) cold++;
      }
    }
    expect(N / sessions).toBeGreaterThan(4.7);
    expect(N / sessions).toBeLessThan(5.3);
    expect(cold / sessions).toBeGreaterThan(0.17);
    expect(cold / sessions).toBeLessThan(0.23);
  });

  it('keep the last historyLength items, oldest first', () => {
    const pop = population({ historyLength: 3, organicEngagements: 0 });
    const u = 7;
    for (const item of [10, 11, 12, 13, 14]) pop.pushHistory(u, item);
    const out = new Int32Array(3);
    expect(pop.readHistory(u, out, 0)).toBe(3);
    expect(Array.from(out)).toEqual([12, 13, 14]);
  });

  it('click less on an advertiser they are fatigued of, and recover over time', () => {
    const pop = population({ fatigueRecovery: 50 });
    const u = pop.nextArrival();
    const ad = pop.bestAd(u, 0);
    const fresh = pop.trueCtr(u, ad);
    for (let i = 0; i < 5; i++) pop.expose(u, 0);
    const tired = pop.trueCtr(u, ad);
    expect(tired).toBeLessThan(fresh * 0.6);
    // Another advertiser is unaffected.
    const other = pop.bestAd(u, 1);
    const before = pop.trueCtr(u, other);
    pop.expose(u, 0);
    expect(pop.trueCtr(u, other)).toBeCloseTo(before, 12);
    // 500 page views later (10 time constants) the fatigue is almost gone.
    for (let t = 0; t < 500; t++) pop.nextArrival();
    expect(pop.fatigueOf(u, 0)).toBeLessThan(6 * Math.exp(-9));
  });

  it('click more on an ad whose topic fills their history (the attention term)', () => {
    const pop = population({ organicEngagements: 0, coldStartShare: 0 });
    const u = pop.nextArrival();
    const cat = pop.catalogue;
    const ad = 0;
    const d = cat.topics;
    // Items most and least similar to ad 0.
    const sims = Array.from({ length: cat.items }, (_, i) => {
      let s = 0;
      for (let k = 0; k < d; k++) s += cat.embeddings[i * d + k]! * cat.embeddings[cat.adItem(ad) * d + k]!;
      return [s, i] as const;
    }).sort((a, b) => b[0] - a[0]);
    for (let j = 0; j < pop.historyLength; j++) pop.pushHistory(u, sims[j % 5]![1]);
    const similar = pop.trueCtr(u, ad);
    for (let j = 0; j < pop.historyLength; j++) pop.pushHistory(u, sims[sims.length - 1 - (j % 5)]![1]);
    const dissimilar = pop.trueCtr(u, ad);
    expect(similar).toBeGreaterThan(dissimilar * 2);
  });

  it('cache nothing stale: the cached CTR of the session user equals a fresh computation', () => {
    const pop = population();
    const uncached = <T,>(f: () => T): T => {
      // With no current user every lookup is computed from scratch.
      const cur = pop.current;
      pop.current = -1;
      const x = f();
      pop.current = cur;
      return x;
    };
    for (let t = 0; t < 3000; t++) {
      const u = pop.nextArrival();
      const ad = (t * 7) % pop.catalogue.ads;
      if (t % 13 === 0) pop.pushHistory(u, ad + pop.catalogue.items);
      if (t % 5 === 0) pop.expose(u, t % 4);
      // Clicks update the cached attention sums incrementally: equal up to rounding.
      expect(pop.trueCtr(u, ad)).toBeCloseTo(uncached(() => pop.trueCtr(u, ad)), 12);
      expect(pop.trueCvr(u, ad)).toBe(uncached(() => pop.trueCvr(u, ad)));
      expect(pop.bestAd(u, t % 4)).toBe(uncached(() => pop.bestAd(u, t % 4)));
    }
  });

  it('drift slowly: interests move a little per session but stay unit vectors', () => {
    const pop = population({ interestDrift: 0.02, coldStartShare: 0 });
    const d = pop.topics;
    const before = Float32Array.from(pop.interest);
    for (let t = 0; t < 20_000; t++) pop.nextArrival();
    let maxMove = 0;
    for (let u = 0; u < pop.count; u++) {
      let dot = 0;
      let norm = 0;
      for (let k = 0; k < d; k++) {
        dot += before[u * d + k]! * pop.interest[u * d + k]!;
        norm += pop.interest[u * d + k]! ** 2;
      }
      expect(norm).toBeCloseTo(1, 5);
      maxMove = Math.max(maxMove, 1 - dot);
    }
    expect(maxMove).toBeGreaterThan(0);
    expect(maxMove).toBeLessThan(0.2);
  });
});
