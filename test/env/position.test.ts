/**
 * One position effect: in a user market a slot's value, its price and the
 * bidder's reward all scale with the exchange's slot weight (users click slot j
 * with probability CTR × w_j), so VCG stays individually rational and truthful.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { slotPrices } from '../../agents/hindsight.js';
import { auctionScratch, runAuction } from '../../env/exchange/mechanisms.js';
import { Market, type MarketSpec } from '../../env/market.js';
import { OBS } from '../../env/observation.js';
import { rng } from '../../env/rng.js';
import { marketSpec, resolveConfig } from '../../experiments/config.js';

const smallUsers = { count: 200, topics: 8, items: 100, historyLength: 10, adsPerAdvertiser: 4 };

/** A user market of `n` per-click bidders, every one in every auction. */
function userMarket(mechanism: 'gsp' | 'vcg' | 'first-price', slotWeights: number[], n: number, extra: Record<string, unknown> = {}): MarketSpec {
  const cfg = resolveConfig({
    name: 't',
    auctionsPerEpisode: 150,
    users: { ...smallUsers, ...extra },
    exchange: { mechanism, slots: slotWeights.length, slotWeights, reservePrice: 0.001 },
    bidders: Array.from({ length: n }, (_, i) => ({ id: `b${i}`, agent: { kind: 'truthful' }, value: { kind: 'per-click', amount: 1 + i } })),
  });
  return marketSpec(cfg);
}

/** Non-increasing slot weights starting at 1. */
const weightsArb = fc
  .array(fc.double({ min: 0.05, max: 1, noNaN: true }), { minLength: 1, maxLength: 3 })
  .map((ws) => [1, ...ws.sort((a, b) => b - a)]);

describe('one position effect in user markets', () => {
  it('VCG: a truthful bidder never loses money in an auction, and no other bid would have done better, whatever the others bid', () => {
    fc.assert(
      fc.property(weightsArb, fc.integer({ min: 1, max: 1e6 }), fc.array(fc.double({ min: 0, max: 4, noNaN: true }), { minLength: 4, maxLength: 4 }), (weights, seed, scale) => {
        const m = new Market(userMarket('vcg', weights, 4), rng(seed));
        const S = weights.length;
        const bidRng = rng(seed).stream('bids');
        const competing = new Float64Array(4);
        const prices = new Float64Array(S);
        m.resetEpisode();
        let checked = 0;
        while (!m.done) {
          const n = m.prepare();
          // Bidder 0 bids its true value per unit of weight; the others anything.
          for (let k = 0; k < n; k++) {
            const b = m.eligible[k]!;
            m.bids[b] = b === 0 ? m.observations[0]![OBS.value]! : scale[b]! * m.observations[b]![OBS.value]! * bidRng.next();
          }
          m.clear();
          const utility = m.valueWon[0]! - m.cost[0]!;
          expect(utility).toBeGreaterThanOrEqual(-1e-9);
          // Any other bid wins some slot j (or none) at the price the others' bids set for it.
          const c = m.competingBids(0, competing);
          slotPrices('vcg', competing.subarray(0, c), m.spec.reservePrice, weights, prices);
          let best = 0;
          for (let j = 0; j < S; j++) best = Math.max(best, m.slotValue(0, j) - prices[j]!);
          expect(utility).toBeGreaterThanOrEqual(best - 1e-5);
          checked++;
        }
        expect(checked).toBe(m.spec.auctionsPerEpisode);
      }),
      { numRuns: 25 },
    );
  });

  it('the value a win counts (summary), the reward (with the oracle: reward + cost) and slotValue agree in every slot', () => {
    fc.assert(
      fc.property(fc.constantFrom('gsp' as const, 'vcg' as const, 'first-price' as const), weightsArb, fc.integer({ min: 1, max: 1e6 }), (mech, weights, seed) => {
        const m = new Market(userMarket(mech, weights, 4), rng(seed));
        m.resetEpisode();
        let sum = 0;
        let wins = 0;
        while (!m.done) {
          const n = m.prepare();
          for (let k = 0; k < n; k++) {
            const b = m.eligible[k]!;
            m.bids[b] = m.observations[b]![OBS.value]!;
          }
          m.clear();
          for (let b = 0; b < 4; b++) {
            if (!m.won[b]) continue;
            const s = m.slotOf[b]!;
            expect(m.valueWon[b]!).toBeCloseTo(m.slotValue(b, s), 12);
            expect(m.reward[b]! + m.cost[b]!).toBeCloseTo(m.valueWon[b]!, 12);
            expect(m.valueWon[b]!).toBeCloseTo(m.observations[b]![OBS.value]! * weights[s]!, 12);
            sum += m.valueWon[b]!;
            wins++;
          }
        }
        expect(wins).toBeGreaterThan(0);
        let total = 0;
        for (let b = 0; b < 4; b++) total += m.totals.value[b]!;
        expect(total).toBeCloseTo(sum, 9);
        expect(m.totals.welfare).toBeCloseTo(sum, 9);
      }),
      { numRuns: 20 },
    );
  });

  it('users click slot j at CTR × w_j: realised clicks per slot match the expected values the market counts', () => {
    const weights = [1, 0.5, 0.2];
    // Users who click more than the default ones (baseCtr 0.05), so that every slot sees enough clicks.
    const spec = { ...userMarket('gsp', weights, 4, { count: 2000, baseCtr: 0.05 }), auctionsPerEpisode: 20_000 };
    const m = new Market(spec, rng(9));
    m.resetEpisode();
    const clicks = new Float64Array(3);
    const expected = new Float64Array(3);
    while (!m.done) {
      const n = m.prepare();
      for (let k = 0; k < n; k++) m.bids[m.eligible[k]!] = m.observations[m.eligible[k]!]![OBS.value]!;
      m.clear();
      for (let b = 0; b < 4; b++) {
        if (!m.won[b]) continue;
        const s = m.slotOf[b]!;
        clicks[s]! += m.clicks[b]!;
        expected[s]! += m.valueWon[b]! / (1 + b); // per-click amount 1 + b
      }
    }
    for (let s = 0; s < 3; s++) {
      // Poisson-binomial: |clicks − E| within 4 standard deviations (sd ≤ √E).
      expect(expected[s]!).toBeGreaterThan(50);
      expect(Math.abs(clicks[s]! - expected[s]!)).toBeLessThan(4 * Math.sqrt(expected[s]!));
    }
    // And the slot weights are what separates the slots' click rates.
    expect(expected[1]! / spec.auctionsPerEpisode).toBeLessThan(expected[0]! / spec.auctionsPerEpisode);
  });

  it('GSP revenue ≥ VCG revenue for the same bids and weights', () => {
    fc.assert(
      fc.property(weightsArb, fc.array(fc.double({ min: 0, max: 5, noNaN: true }), { minLength: 1, maxLength: 6 }), fc.integer({ min: 0, max: 1000 }), (weights, bidsIn, reserve) => {
        const bids = Float64Array.from(bidsIn, (b) => Math.floor(b * 1e6));
        const prio = Uint32Array.from(bidsIn, (_, i) => i);
        const w = Float64Array.from(weights);
        const g = auctionScratch(bids.length, w.length);
        const v = auctionScratch(bids.length, w.length);
        runAuction('gsp', bids, prio, bids.length, reserve, w, g);
        runAuction('vcg', bids, prio, bids.length, reserve, w, v);
        const sum = (x: Float64Array) => x.reduce((s, p) => s + p, 0);
        expect(sum(g.price)).toBeGreaterThanOrEqual(sum(v.price));
      }),
      { numRuns: 300 },
    );
  });

  it('users.positionDecay sets the default slot weights; with explicit slotWeights it is an error naming the field', () => {
    const base = { name: 't', users: smallUsers, bidders: [{ id: 'a', agent: { kind: 'truthful' }, value: { kind: 'per-click', amount: 1 } }] };
    const c = resolveConfig({ ...base, users: { ...smallUsers, positionDecay: 0.3 }, exchange: { mechanism: 'vcg', slots: 3 } });
    expect(c.exchange.slotWeights).toEqual([1, 0.3, 0.3 * 0.3]);
    expect(resolveConfig({ ...base, exchange: { mechanism: 'vcg', slots: 2 } }).exchange.slotWeights).toEqual([1, 0.75]);
    expect(() => resolveConfig({ ...base, users: { ...smallUsers, positionDecay: 0.3 }, exchange: { mechanism: 'vcg', slots: 2, slotWeights: [1, 0.9] } })).toThrow(/users\.positionDecay/);
  });
});
