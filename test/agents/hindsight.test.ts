import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bestFixedMultiplier, hindsightOptimum, hindsightOptimumSlots, MULTIPLIER_GRID, regretDecomposition, slotPrices, type MultiplierEpisode } from '../../agents/hindsight.js';
import { Market } from '../../env/market.js';
import { OBS } from '../../env/observation.js';
import { rng } from '../../env/rng.js';
import { marketSpec, resolveConfig } from '../../experiments/config.js';
import { auctionScratch, MECHANISMS, runAuction } from '../../env/exchange/mechanisms.js';

const f64 = (...x: number[]) => Float64Array.from(x);

/** The best 0/1 knapsack value by enumeration (small n only). */
function bruteForce(values: Float64Array, costs: Float64Array, budget: number): number {
  const n = values.length;
  let best = 0;
  for (let mask = 0; mask < 1 << n; mask++) {
    let v = 0;
    let c = 0;
    for (let i = 0; i < n; i++) {
      if (mask & (1 << i)) {
        v += values[i]!;
        c += costs[i]!;
      }
    }
    if (c <= budget + 1e-9 && v > best) best = v;
  }
  return best;
}

describe('hindsightOptimum', () => {
  it('solves a hand-worked fractional knapsack', () => {
    // Ratios 3, 2, 1; budget 2.5: take items 0 and 1 whole (cost 2), half of item 2.
    const h = hindsightOptimum(f64(3, 2, 1), f64(1, 1, 1), 2.5);
    expect(h.value).toBeCloseTo(5.5, 12);
    expect(h.integralValue).toBeCloseTo(5, 12);
    expect(h.spend).toBeCloseTo(2.5, 12);
    expect(Array.from(h.picked)).toEqual([1, 1, 0.5]);
  });

  it('takes free auctions and never takes worthless ones', () => {
    const h = hindsightOptimum(f64(0.5, 0, 2), f64(0, 0, 10), 1);
    expect(h.value).toBeCloseTo(0.5 + 0.2, 12);
    expect(h.picked[1]).toBe(0);
  });

  it('takes everything with an infinite budget', () => {
    const h = hindsightOptimum(f64(1, 2, 3), f64(5, 6, 7), Infinity);
    expect(h.value).toBe(6);
    expect(h.integralValue).toBe(6);
  });

  it('brackets the exact integer optimum: integral ≤ brute force ≤ LP bound', () => {
    fc.assert(
      fc.property(
        // Costs are 0 or ≥ 1e-3, so a 1e-9 slack on the budget changes the LP bound by < 1e-4.
        fc.array(fc.tuple(fc.double({ min: 0, max: 10, noNaN: true }), fc.oneof(fc.constant(0), fc.double({ min: 1e-3, max: 5, noNaN: true }))), { minLength: 1, maxLength: 10 }),
        fc.double({ min: 0, max: 20, noNaN: true }),
        (items, budget) => {
          const v = Float64Array.from(items, (x) => x[0]);
          const c = Float64Array.from(items, (x) => x[1]);
          const h = hindsightOptimum(v, c, budget);
          const exact = bruteForce(v, c, budget);
          expect(h.integralValue).toBeLessThanOrEqual(exact + 1e-9);
          expect(exact).toBeLessThanOrEqual(h.value + 1e-4);
          expect(h.spend).toBeLessThanOrEqual(budget + 1e-9);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('rejects bad input, naming it', () => {
    expect(() => hindsightOptimum(f64(1), f64(1, 2), 1)).toThrow(/costs has length 2, expected 1/);
    expect(() => hindsightOptimum(f64(1), f64(1), -1)).toThrow(/budget must be ≥ 0/);
    expect(() => hindsightOptimum(f64(1), f64(-1), 1)).toThrow(/auction 0/);
  });
});

/** The best multiple-choice knapsack value by enumeration (each auction: a slot or nothing). */
function bruteForceSlots(values: Float64Array, costs: Float64Array, slots: number, budget: number): number {
  const n = values.length / slots;
  let best = 0;
  const visit = (i: number, v: number, c: number): void => {
    if (c > budget + 1e-9) return;
    if (i === n) {
      best = Math.max(best, v);
      return;
    }
    visit(i + 1, v, c);
    for (let j = 0; j < slots; j++) if (values[i * slots + j]! > 0) visit(i + 1, v + values[i * slots + j]!, c + costs[i * slots + j]!);
  };
  visit(0, 0, 0);
  return best;
}

describe('hindsightOptimumSlots', () => {
  it('solves a hand-worked two-slot case on the convex hull', () => {
    // One auction: slot 0 worth 3 for 2, slot 1 worth 2 for 0.5. Budget 1: the hull goes
    // (0,0) → (0.5, 2) → (2, 3); take the first step whole and 0.5/1.5 of the second.
    const h = hindsightOptimumSlots(f64(3, 2), f64(2, 0.5), 2, 1);
    expect(h.value).toBeCloseTo(2 + 1 / 3, 12);
    expect(h.integralValue).toBeCloseTo(2, 12);
    expect(h.spend).toBeCloseTo(1, 12);
  });

  it('takes a free auction even when a tiny cost makes another ratio overflow to Infinity', () => {
    // Found by fast-check: 8.9e-16 / 5e-324 is Infinity, which tied with the free item and went first by index.
    const v = f64(8.881784197001252e-16, 5e-10, 0);
    const c = f64(5e-324, 0, 0);
    expect(hindsightOptimum(v, c, 0).value).toBe(5e-10);
    expect(hindsightOptimumSlots(v, c, 1, 0).value).toBe(5e-10);
  });

  it('equals the single-slot LP bound with one slot', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.double({ min: 0, max: 10, noNaN: true }), fc.double({ min: 0, max: 5, noNaN: true })), { minLength: 1, maxLength: 30 }), fc.double({ min: 0, max: 20, noNaN: true }), (items, budget) => {
        const v = Float64Array.from(items, (x) => x[0]);
        const c = Float64Array.from(items, (x) => x[1]);
        expect(hindsightOptimumSlots(v, c, 1, budget).value).toBeCloseTo(hindsightOptimum(v, c, budget).value, 9);
      }),
      { numRuns: 200 },
    );
  });

  it('brackets the exact multiple-choice optimum: integral ≤ brute force ≤ LP bound', () => {
    const slots = 3;
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.double({ min: 0, max: 10, noNaN: true }), fc.oneof(fc.constant(0), fc.double({ min: 1e-3, max: 5, noNaN: true }))), { minLength: slots, maxLength: 6 * slots }),
        fc.double({ min: 0, max: 15, noNaN: true }),
        (items, budget) => {
          const m = items.length - (items.length % slots);
          const v = Float64Array.from(items.slice(0, m), (x) => x[0]);
          const c = Float64Array.from(items.slice(0, m), (x) => x[1]);
          const h = hindsightOptimumSlots(v, c, slots, budget);
          const exact = bruteForceSlots(v, c, slots, budget);
          expect(h.integralValue).toBeLessThanOrEqual(exact + 1e-9);
          expect(exact).toBeLessThanOrEqual(h.value + 1e-4);
          expect(h.spend).toBeLessThanOrEqual(budget + 1e-9);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('slotPrices', () => {
  it('is what the mechanism charges a bidder who just outbids all but the j highest rivals', () => {
    const weights = Float64Array.of(1, 0.75, 0.5);
    const scratch = auctionScratch(8, 3);
    fc.assert(
      fc.property(
        fc.constantFrom(...MECHANISMS.filter((m) => m !== 'second-price')), // second price sells one slot
        fc.uniqueArray(fc.integer({ min: 1, max: 1000 }), { minLength: 0, maxLength: 6 }),
        fc.integer({ min: 0, max: 500 }),
        fc.integer({ min: 0, max: 2 }),
        (mechanism, raw, reserve, j) => {
          const competing = raw.map((x) => x * 4).sort((a, b) => b - a); // distinct, gaps ≥ 4 micros
          const cj = Math.max(j < competing.length ? competing[j]! : 0, reserve);
          if (j > 0 && !(j - 1 < competing.length && competing[j - 1]! > cj + 1)) return; // rank j not reachable
          const bids = Float64Array.from([...competing, cj + 1]);
          const me = bids.length - 1;
          runAuction(mechanism, bids, Uint32Array.from(bids, (_, i) => i), bids.length, reserve, weights, scratch);
          expect(scratch.winner[j]).toBe(me);
          const expected = new Float64Array(3);
          slotPrices(mechanism, competing, reserve, weights, expected);
          // Prices are rounded down to the micro; first price also pays the one micro bid above c_j.
          expect(Math.abs(scratch.price[j]! - expected[j]!)).toBeLessThanOrEqual(1);
          // In currency units, rounded as the market rounds: exactly its price (first price: its price to beat).
          const cur = new Float64Array(3);
          slotPrices(mechanism, competing.map((x) => x / 1e6), reserve / 1e6, weights, cur, true);
          if (mechanism === 'first-price') expect(Math.abs(scratch.price[j]! - Math.round(cur[j]! * 1e6))).toBeLessThanOrEqual(1);
          else expect(Math.round(cur[j]! * 1e6)).toBe(scratch.price[j]!);
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('regretDecomposition', () => {
  it('splits regret into overpayment, wrong wins and underbidding', () => {
    // Auction 0: won at 0.8 against a competing bid of 0.5, value 1 → overpaid 0.3.
    // Auction 1: won at 0.6 against 0.6, value 0.4 → a wrong win, 0.2.
    // Auction 2: lost against 0.2, value 0.9 → underbid 0.7.
    const g = regretDecomposition(f64(1, 0.4, 0.9), f64(0.5, 0.6, 0.2), f64(0.8, 0.6, 0), Uint8Array.of(1, 1, 0));
    expect(g.overpayment).toBeCloseTo(0.3, 12);
    expect(g.wrongWins).toBeCloseTo(0.2, 12);
    expect(g.underbid).toBeCloseTo(0.7, 12);
    expect(g.hindsightUtility).toBeCloseTo(0.5 + 0.7, 12);
    expect(g.utility).toBeCloseTo(0.2 - 0.2, 12);
    expect(g.regret).toBeCloseTo(g.overbid + g.underbid, 12);
  });

  it('adds up exactly for any single-slot outcome (cost ≥ competing bid when won)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.double({ min: 0, max: 5, noNaN: true }), fc.double({ min: 0, max: 5, noNaN: true }), fc.double({ min: 0, max: 2, noNaN: true }), fc.boolean()), {
          minLength: 1,
          maxLength: 50,
        }),
        (rows) => {
          const v = Float64Array.from(rows, (r) => r[0]);
          const c = Float64Array.from(rows, (r) => r[1]);
          const won = Uint8Array.from(rows, (r) => (r[3] ? 1 : 0));
          const cost = Float64Array.from(rows, (r, i) => (won[i] ? r[1] + r[2] : 0));
          const g = regretDecomposition(v, c, cost, won);
          expect(g.regret).toBeCloseTo(g.overbid + g.underbid, 9);
          expect(g.regret).toBeGreaterThanOrEqual(-1e-9);
          expect(g.underbid).toBeGreaterThanOrEqual(0);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('bestFixedMultiplier', () => {
  const one = (est: number[], comp: number[], values = est): MultiplierEpisode => ({ n: est.length, estimates: Float64Array.from(est), values: Float64Array.from(values), competing: Float64Array.from(comp) });

  it('first price: the lowest multiplier that still beats the rival', () => {
    const r = bestFixedMultiplier([one([1], [0.5])], { mechanism: 'first-price', reservePrice: 0, slotWeights: [1], budget: null });
    expect(r.multiplier).toBeCloseTo(0.51, 12);
    expect(r.utility).toBeCloseTo(0.49, 12);
  });

  it('second price without a budget: its utility is the hindsight best response when estimates are true', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.double({ min: 0, max: 2, noNaN: true }), fc.double({ min: 0, max: 2, noNaN: true })), { minLength: 1, maxLength: 40 }), fc.double({ min: 0, max: 0.5, noNaN: true }), (items, reserve) => {
        const v = Float64Array.from(items, (x) => x[0]);
        const c = Float64Array.from(items, (x) => x[1]);
        const r = bestFixedMultiplier([{ n: v.length, estimates: v, values: v, competing: c }], { mechanism: 'second-price', reservePrice: reserve, slotWeights: [1], budget: null });
        const beat = Float64Array.from(c, (x) => Math.max(x, reserve));
        const h = regretDecomposition(v, beat, new Float64Array(v.length), new Uint8Array(v.length));
        // α = 1 wins exactly the auctions worth more than their price (up to ties and
        // the micro the market rounds bids and prices to).
        expect(Math.abs(r.utility - h.hindsightUtility)).toBeLessThanOrEqual(2e-6 * v.length);
      }),
      { numRuns: 200 },
    );
  });

  it('without a budget, the fast path (difference arrays over the grid) finds the utility the replay auction by auction finds', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('first-price', 'gsp', 'vcg'),
        fc.array(fc.tuple(fc.double({ min: 0, max: 2, noNaN: true }), fc.double({ min: 0, max: 2, noNaN: true }), fc.double({ min: 0, max: 2, noNaN: true }), fc.double({ min: 0, max: 2, noNaN: true })), { minLength: 1, maxLength: 30 }),
        fc.double({ min: 0, max: 0.3, noNaN: true }),
        (mechanism, items, reserve) => {
          const n = items.length;
          const est = Float64Array.from(items, (x) => x[0]);
          const val = Float64Array.from(items, (x) => x[1]);
          const competing = new Float64Array(2 * n);
          items.forEach((x, i) => {
            competing[2 * i] = Math.max(x[2], x[3]);
            competing[2 * i + 1] = Math.min(x[2], x[3]);
          });
          const ep = [{ n, estimates: est, values: val, competing }];
          const rules = { mechanism, reservePrice: reserve, slotWeights: [1, 0.5], budget: null };
          const fast = bestFixedMultiplier(ep, rules);
          // A grid in decreasing order takes the auction-by-auction replay.
          const slow = bestFixedMultiplier(ep, { ...rules, grid: Float64Array.from(MULTIPLIER_GRID).reverse() });
          expect(Math.abs(fast.utility - slow.utility)).toBeLessThanOrEqual(2e-6 * n);
          // An unevenly spaced grid: the search's first guess is off, the answer must not be.
          const uneven = Float64Array.from({ length: 60 }, (_, i) => (i / 30) ** 2);
          const fastUneven = bestFixedMultiplier(ep, { ...rules, grid: uneven });
          const slowUneven = bestFixedMultiplier(ep, { ...rules, grid: Float64Array.from(uneven).reverse() });
          expect(Math.abs(fastUneven.utility - slowUneven.utility)).toBeLessThanOrEqual(2e-6 * n);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('with a budget, never beats the hindsight optimum (a fixed multiplier is one feasible plan)', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.double({ min: 0, max: 2, noNaN: true }), fc.double({ min: 0.001, max: 2, noNaN: true })), { minLength: 1, maxLength: 40 }), fc.double({ min: 0.01, max: 5, noNaN: true }), (items, budget) => {
        const v = Float64Array.from(items, (x) => x[0]);
        const c = Float64Array.from(items, (x) => x[1]);
        const r = bestFixedMultiplier([{ n: v.length, estimates: v, values: v, competing: c }], { mechanism: 'second-price', reservePrice: 0, slotWeights: [1], budget });
        expect(r.spend).toBeLessThanOrEqual(budget + 1e-9);
        expect(r.value).toBeLessThanOrEqual(hindsightOptimum(v, c, budget).value + 1e-9);
      }),
      { numRuns: 200 },
    );
  });

  it('first price against a constant rival: matches the closed form of the best multiplier on U[0,1] values', () => {
    // Bidding αv against a rival at 0.3 wins when v > 0.3/α: E[u] = (1 − α)(1 − (0.3/α)²)/2.
    const n = 200_000;
    const r = rng(4).stream('v');
    const v = Float64Array.from({ length: n }, () => r.next());
    const comp = new Float64Array(n).fill(0.3);
    const res = bestFixedMultiplier([{ n, estimates: v, values: v, competing: comp }], { mechanism: 'first-price', reservePrice: 0, slotWeights: [1], budget: null });
    const eu = (a: number) => (a <= 0.3 ? 0 : ((1 - a) * (1 - (0.3 / a) ** 2)) / 2);
    let bestA = 0;
    for (const a of MULTIPLIER_GRID) if (eu(a) > eu(bestA)) bestA = a;
    expect(Math.abs(res.multiplier - bestA)).toBeLessThanOrEqual(0.02);
    expect(res.utility / n).toBeCloseTo(eu(bestA), 2);
  });

  it('replays the market exactly: a bidder at a fixed multiplier gets what the replay of that multiplier says', () => {
    const alpha = 0.8;
    const T = 2000;
    const play = (mechanism: 'first-price' | 'gsp' | 'vcg', budget: number | null) => {
      const cfg = resolveConfig({
        name: 't',
        auctionsPerEpisode: T,
        users: { count: 300, topics: 8, items: 100, historyLength: 10, adsPerAdvertiser: 4 },
        exchange: { mechanism, slots: 2, slotWeights: [1, 0.6], reservePrice: 0.2 },
        bidders: [
          // Large values: bids of many micros, so that two bids almost never tie to the micro
          // (the market breaks ties by priority, the replay lets them lose).
          { id: 'me', agent: { kind: 'truthful' }, value: { kind: 'per-click', amount: 200 }, ...(budget === null ? {} : { budget }) },
          { id: 'r1', agent: { kind: 'truthful' }, value: { kind: 'per-click', amount: 150 } },
          { id: 'r2', agent: { kind: 'truthful' }, value: { kind: 'per-click', amount: 100 } },
        ],
      });
      const m = new Market(marketSpec(cfg), rng(21));
      const ep: MultiplierEpisode = { n: 0, estimates: new Float64Array(T), values: new Float64Array(T), competing: new Float64Array(2 * T) };
      const out = new Float64Array(3);
      m.resetEpisode();
      while (!m.done) {
        const n = m.prepare();
        for (let k = 0; k < n; k++) {
          const b = m.eligible[k]!;
          m.bids[b] = (b === 0 ? alpha : 0.9) * m.observations[b]![OBS.value]!;
        }
        const asked = n > 0 && m.eligible[0] === 0;
        m.clear();
        const i = ep.n++;
        ep.estimates[i] = asked ? m.observations[0]![OBS.value]! : 0;
        ep.values[i] = m.topValue[0]!;
        const c = m.competingBids(0, out);
        for (let j = 0; j < 2; j++) ep.competing[2 * i + j] = j < c ? out[j]! : 0;
      }
      return { m, ep };
    };
    for (const mechanism of ['first-price', 'gsp', 'vcg'] as const) {
      // A budget of half what the bidder spends without one: it binds mid-episode.
      const free = play(mechanism, null);
      const budget = free.m.totals.spend[0]! / 2e6;
      const { m, ep } = play(mechanism, budget);
      expect(m.terminated[0]).toBe(1);
      const r = bestFixedMultiplier([ep], { mechanism, reservePrice: 0.2, slotWeights: [1, 0.6], budget, grid: [alpha] });
      expect(m.totals.wins[0]!).toBeGreaterThan(20);
      expect(r.wins).toBe(m.totals.wins[0]!);
      expect(r.value).toBeCloseTo(m.totals.value[0]!, 6);
      expect(r.spend).toBeCloseTo(m.totals.spend[0]! / 1e6, 6);
      const f = bestFixedMultiplier([free.ep], { mechanism, reservePrice: 0.2, slotWeights: [1, 0.6], budget: null, grid: [alpha] });
      expect(f.value).toBeCloseTo(free.m.totals.value[0]!, 6);
      expect(f.wins).toBe(free.m.totals.wins[0]!);
    }
  });
});
