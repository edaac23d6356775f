import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../env/errors.js';
import { logFrom, type BidLog } from '../../env/log/format.js';
import { defaultMaxBid, episodeBudget, hindsightClicks, replay, type LogBidder } from '../../env/log/replay.js';

const constant = (a: number): LogBidder => ({ bid: () => a });
const tiny = (price: number[], click?: number[], pctr?: number[]) =>
  logFrom('tiny', { price, click: click ?? price.map(() => 0), pctr: pctr ?? price.map(() => 0.1) });

describe('replay rules', () => {
  it('a tie wins and the winner pays the logged price', () => {
    const r = replay(tiny([5, 6, 4], [1, 1, 0]), constant(5), { horizon: 3, budget: 100, maxBid: 300 });
    expect(r.impressions).toBe(2); // 5 (tie) and 4, not 6
    expect(r.clicks).toBe(1);
    expect(r.cost).toBe(9); // prices, not bids
    expect(r.winRate).toBeCloseTo(2 / 3, 12);
  });

  it('caps bids at the budget left and at the maximum price, and rounds them down', () => {
    // budget 12: 5 (left 7), 5 (left 2), bid capped at 2 loses 3, loses 10, wins the free one
    const r = replay(tiny([5, 5, 3, 10, 0]), constant(5), { horizon: 5, budget: 12, maxBid: 300 });
    expect(Array.from(r.episodes.impressions)).toEqual([3]);
    expect(r.cost).toBe(10);
    // maxBid 4: a bid of 9 is a bid of 4
    expect(replay(tiny([4, 5, 4]), constant(9), { horizon: 3, budget: 100, maxBid: 4 }).impressions).toBe(2);
    // 4.9 is a bid of 4 with integer bids (loses 4.5), 4.9 without
    expect(replay(tiny([4.5]), constant(4.9), { horizon: 1, budget: 100, maxBid: 300 }).impressions).toBe(0);
    expect(replay(tiny([4.5]), constant(4.9), { horizon: 1, budget: 100, maxBid: 300, integerBids: false }).impressions).toBe(1);
    // NaN and negative bids are no bid (they still win a free auction: 0 ≥ 0)
    expect(replay(tiny([1, 0]), constant(Number.NaN), { horizon: 2, budget: 100, maxBid: 300 }).impressions).toBe(1);
    expect(replay(tiny([1, 0]), constant(-3), { horizon: 2, budget: 100, maxBid: 300 }).impressions).toBe(1);
  });

  it('plays the last short episode with the full budget, the bidder believing a full episode remains', () => {
    const seen: [number, number, number][] = [];
    const starts: [number, number, number][] = [];
    const bidder: LogBidder = {
      startEpisode: (e, B, N) => starts.push([e, B, N]),
      bid: (_p, n, b, i) => {
        seen.push([i, n, b]);
        return 10;
      },
    };
    const r = replay(tiny([3, 3, 3, 3, 3, 3, 3]), bidder, { horizon: 3, budget: 7, maxBid: 300 });
    expect(starts).toEqual([
      [0, 7, 3],
      [1, 7, 3],
      [2, 7, 3],
    ]);
    expect(seen).toEqual([
      [0, 3, 7],
      [1, 2, 4],
      [2, 1, 1],
      [3, 3, 7],
      [4, 2, 4],
      [5, 1, 1],
      [6, 3, 7],
    ]);
    expect(Array.from(r.episodes.auctions)).toEqual([3, 3, 1]);
    expect(Array.from(r.episodes.impressions)).toEqual([2, 2, 1]);
    expect(r.auctions).toBe(7);
    expect(r.impressions).toBe(5);
  });

  it('never spends more than the episode budget, whatever the bidder does', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 50 }), { minLength: 1, maxLength: 60 }),
        fc.array(fc.double({ min: -5, max: 80, noNaN: true }), { minLength: 1, maxLength: 60 }),
        fc.integer({ min: 1, max: 9 }),
        fc.integer({ min: 0, max: 100 }),
        (prices, bids, horizon, budget) => {
          const log = tiny(prices);
          const r = replay(log, { bid: (_p, _n, _b, i) => bids[i % bids.length]! }, { horizon, budget, maxBid: 40 });
          for (let e = 0; e < r.episodes.cost.length; e++) expect(r.episodes.cost[e]!).toBeLessThanOrEqual(budget);
          expect(r.impressions).toBeLessThanOrEqual(prices.length);
          expect(r.cost).toBe(Array.from(r.episodes.cost).reduce((a, b) => a + b, 0));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('counts conversions and value of won auctions', () => {
    const log = logFrom('v', { price: [1, 2, 3], pctr: [0.1, 0.1, 0.1], click: [1, 1, 0], conversion: [1, 0, 0], value: [5, 7, 11] });
    const r = replay(log, constant(2), { horizon: 3, budget: 100, maxBid: 300 });
    expect([r.impressions, r.clicks, r.conversions, r.value]).toEqual([2, 2, 1, 12]);
  });

  it('rejects a bad protocol as an input error', () => {
    expect(() => replay(tiny([1]), constant(1), { horizon: 0, budget: 1, maxBid: 1 })).toThrow(InputError);
    expect(() => replay(tiny([1]), constant(1), { horizon: 1, budget: -1, maxBid: 1 })).toThrow(InputError);
  });
});

describe('budgets', () => {
  const info = { impTrain: 312437, clkTrain: 1386, costTrain: 19689072, priceCounter: null };
  it('c0 is floor(cost_train / imp_train × c0 × N)', () => {
    expect(episodeBudget({ c0: 1 / 32 }, info, 1000)).toBe(1969);
    expect(episodeBudget({ c0: 1 / 2 }, info, 1000)).toBe(31508);
    expect(episodeBudget(500, null, 1000)).toBe(500);
    expect(() => episodeBudget({ c0: 0.1 }, null, 1000)).toThrow(InputError);
    expect(() => episodeBudget({ c0: 0 }, info, 1000)).toThrow(/budget\.c0/);
  });
  it('the default maximum bid is the top of the training histogram, else the highest price', () => {
    expect(defaultMaxBid(tiny([3, 9.5]), null)).toBe(10);
    expect(defaultMaxBid(tiny([3, 9.5]), { ...info, priceCounter: new Array(301).fill(1) })).toBe(300);
  });
});

/** Most clicks winnable in one episode, by enumerating every set of auctions. */
function bruteHindsight(log: BidLog, start: number, end: number, budget: number, maxBid: number): number {
  const n = end - start;
  let best = 0;
  for (let mask = 0; mask < 1 << n; mask++) {
    let cost = 0;
    let clicks = 0;
    let ok = true;
    for (let i = 0; i < n; i++) {
      if (mask & (1 << i)) {
        if (log.price[start + i]! > maxBid) ok = false;
        cost += log.price[start + i]!;
        clicks += log.click[start + i]!;
      }
    }
    if (ok && cost <= budget && clicks > best) best = clicks;
  }
  return best;
}

describe('hindsight optimum', () => {
  it('takes the cheapest clicked auctions: a hand-computed case', () => {
    // clicked prices 9, 2, 4, 7 with budget 10: 2 + 4 (then 7 does not fit) → 2 clicks
    const log = tiny([9, 2, 1, 4, 7, 3], [1, 1, 0, 1, 1, 0]);
    expect(Array.from(hindsightClicks(log, { horizon: 6, budget: 10, maxBid: 300 }))).toEqual([2]);
    expect(Array.from(hindsightClicks(log, { horizon: 6, budget: 13, maxBid: 300 }))).toEqual([3]);
    // above the maximum bid a click cannot be won
    expect(Array.from(hindsightClicks(log, { horizon: 6, budget: 100, maxBid: 8 }))).toEqual([3]);
    // per episode (the last short one with the full budget)
    expect(Array.from(hindsightClicks(log, { horizon: 4, budget: 5, maxBid: 300 }))).toEqual([1, 0]);
  });

  it('equals the brute-force knapsack', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 30 }), fc.boolean()), { minLength: 1, maxLength: 24 }),
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 0, max: 60 }),
        fc.integer({ min: 5, max: 30 }),
        (rows, horizon, budget, maxBid) => {
          const log = tiny(
            rows.map((r) => r[0]),
            rows.map((r) => (r[1] ? 1 : 0)),
          );
          const h = hindsightClicks(log, { horizon, budget, maxBid });
          for (let e = 0; e < h.length; e++) {
            expect(h[e]).toBe(bruteHindsight(log, e * horizon, Math.min((e + 1) * horizon, log.length), budget, maxBid));
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('is never below what a replayed bidder got', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 30 }), fc.boolean()), { minLength: 1, maxLength: 40 }), fc.integer({ min: 0, max: 40 }), (rows, bid) => {
        const log = tiny(
          rows.map((r) => r[0]),
          rows.map((r) => (r[1] ? 1 : 0)),
        );
        const p = { horizon: 7, budget: 25, maxBid: 300 };
        const r = replay(log, constant(bid), p);
        const h = hindsightClicks(log, p);
        for (let e = 0; e < h.length; e++) expect(r.episodes.clicks[e]!).toBeLessThanOrEqual(h[e]!);
      }),
      { numRuns: 200 },
    );
  });
});
