import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../../experiments/config.js';
import { EPISODE_COLUMNS, episodeRow, EvalRecorder, SAMPLE_COLUMNS } from '../../experiments/recorder.js';
import type { Replication } from '../../experiments/replication.js';
import type { EpisodeTotals, Market } from '../../env/market.js';
import { OBS, OBS_SIZE } from '../../env/observation.js';

/** One bidder without a budget and one with 2 units, 4 auctions per episode, one slot. */
const cfg = resolveConfig({
  name: 'rec',
  episodes: 1,
  evalEpisodes: 2,
  auctionsPerEpisode: 4,
  exchange: { mechanism: 'second-price' },
  bidders: [
    { id: 'free', agent: { kind: 'truthful' }, value: { kind: 'uniform' } },
    { id: 'capped', agent: { kind: 'truthful' }, value: { kind: 'uniform' }, budget: 2 },
  ],
});

/** Totals of one episode for the two bidders. */
function totals(): EpisodeTotals {
  const f = (a: number, b: number) => Float64Array.of(a, b);
  return {
    participations: f(4, 4),
    wins: f(2, 1),
    spend: f(1_500_000, 500_000),
    value: f(2.5, 1),
    clicks: f(0, 0),
    conversions: f(0, 0),
    bidToValueSum: f(3, 4),
    bidToValueCount: f(4, 4),
    bidSum: f(1.5, 2),
    bidValueSum: f(2, 2),
    revenue: 2_000_000,
    welfare: 3.5,
    auctions: 4,
    publisherPayout: 1_400_000,
    exchangeFee: 600_000,
  };
}

/** The part of a Market the recorder reads, for 2 bidders. */
function fakeMarket() {
  const obs = [new Float64Array(OBS_SIZE), new Float64Array(OBS_SIZE)];
  return {
    nBidders: 2,
    topValue: new Float64Array(2),
    competingBid: new Float64Array(2),
    cost: new Float64Array(2),
    won: new Uint8Array(2),
    bids: new Float64Array(2),
    observations: obs,
    budgetMicros: Float64Array.of(Infinity, 2_000_000),
    budgetLeftMicros: Float64Array.of(Infinity, 1_000_000),
    // What the fixed-multiplier benchmark reads: each bidder's own estimate, the other bids.
    estimate: new Float64Array(2),
    pctr: new Float64Array(2),
    trueCtrTop: new Float64Array(2),
    competingBids(b: number, out: Float64Array): number {
      const c = this.competingBid[b]!;
      if (!(c > 0)) return 0;
      out[0] = c;
      return 1;
    },
  };
}

describe('episodeRow', () => {
  it('writes one bidder-episode line of episodes.csv in currency units', () => {
    expect(EPISODE_COLUMNS.split(',')).toHaveLength(16);
    expect(episodeRow(cfg, 0, 1, false, 1, totals())).toBe('0,1,eval,capped,4,4,1,0.5,1,0.5,0,0,1,0.25,0.5,0.875');
    expect(episodeRow(cfg, 2, 0, true, 0, totals())).toBe('2,0,train,free,4,4,2,1.5,2.5,1,0,0,0.75,0,0.5,0.875');
  });
});

describe('EvalRecorder', () => {
  it('sums evaluation episodes into per-auction and per-episode figures, with hindsight', () => {
    const market = fakeMarket();
    const rep = { cfg, market: market as unknown as Market, hasObjective: [false, false], objectiveOf: () => 0 } as unknown as Replication;
    const rec = new EvalRecorder(rep, 3);
    for (let ep = 0; ep < 2; ep++) {
      rec.startEpisode();
      // Auction 0: free loses (value 1, price 0.5): underbid 0.5. capped wins (value 2 at 0.5).
      market.topValue.set([1, 2]);
      market.estimate.set([1, 2]);
      market.competingBid.set([0.5, 0.5]);
      market.cost.set([0, 0.5]);
      market.won.set([0, 1]);
      market.observations[0]![OBS.value] = 1;
      rec.auction(0, 0, ep === 1);
      rec.auction(1, 0, ep === 1);
      // Auction 1: free wins (value 1.5 at 1); capped declined (out of budget), could have had 3 at 1.
      market.topValue.set([1.5, 3]);
      market.estimate.set([1.5, 3]);
      market.competingBid.set([1, 1]);
      market.cost.set([1, 0]);
      market.won.set([1, 0]);
      rec.auction(0, 1, ep === 1);
      rec.declined(1);
      rec.endEpisode(totals());
    }
    const { market: m, bidders } = rec.figures();
    expect(m).toEqual({ revenuePerAuction: 0.5, welfarePerAuction: 0.875, publisherPayoutPerAuction: 0.35, exchangeFeePerAuction: 0.15, auctionsPerEpisode: 4 });
    const free = bidders.free!;
    expect(free.utilityPerAuction).toBeCloseTo((2 * (2.5 - 1.5)) / 8, 12);
    expect(free.winRate).toBe(0.5);
    // bid/value: the plain mean (Σ b/v ÷ count = 3/4) and the value-weighted one (Σ b ÷ Σ v = 1.5/2).
    expect(free.bidToValue).toBe(0.75);
    expect(bidders.capped!.bidToValue).toBe(1);
    expect(free.bidToValueWeighted).toBe(0.75);
    expect(bidders.capped!.bidToValueWeighted).toBe(1);
    // Regret per episode: 0.5 (auction 0 lost) + 0 (auction 1 won at its price); per auction over 8 auctions.
    expect(free.regretPerAuction).toBeCloseTo((2 * 0.5) / 8, 12);
    expect(free.underbidRegretPerAuction).toBeCloseTo((2 * 0.5) / 8, 12);
    expect(free.overbidRegretPerAuction).toBe(0);
    // Best fixed multiplier: the lowest α that wins both auctions (α·1 > 0.5, α·1.5 > 1): 0.67, utility 1 per episode.
    expect(free.fixedMultiplier).toBeCloseTo(0.67, 12);
    expect(free.fixedMultiplierUtilityPerAuction).toBeCloseTo((2 * 1) / 8, 12);
    expect(free.regretToFixedMultiplierPerAuction).toBeCloseTo(0, 12);
    const capped = bidders.capped!;
    // With its budget of 2 it takes both (α·2 > 0.5, α·3 > 1 → 0.34) for a value of 5 per episode; it got 1.
    expect(capped.fixedMultiplier).toBeCloseTo(0.34, 12);
    expect(capped.fixedMultiplierValue).toBe(5);
    expect(capped.regretToFixedMultiplier).toBe(4);
    // No users: no click model, no calibration figures.
    expect(capped.pctrOverCtrWon).toBeUndefined();
    // Budget 2 over (2 for 0.5, 3 for 1): both fit, 5 per episode; it got 1.
    expect(capped.hindsightValue).toBe(5);
    expect(capped.competitiveRatio).toBeCloseTo(1 / 5, 12);
    expect(capped.budgetSpent).toBeCloseTo(0.25, 12);
    expect(capped.regretPerAuction).toBeUndefined();
    // Samples: the last episode only, every auction (4 per episode < 400 per bidder).
    expect(SAMPLE_COLUMNS.split(',')).toHaveLength(9);
    expect(rec.sampleRows).toEqual(['3,free,0,1,0,0,0,0,0', '3,capped,0,0,0,0,1,0.5,0.5', '3,free,0.25,1,0,0,1,1,0']);
  });
});
