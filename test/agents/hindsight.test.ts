import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hindsightOptimum, hindsightOptimumSlots, regretDecomposition, slotPrices } from '../../agents/hindsight.js';
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
