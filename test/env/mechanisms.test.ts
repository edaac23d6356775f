import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { auctionScratch, runAuction, MECHANISMS, type Mechanism } from '../../env/exchange/mechanisms.js';

/** A generated auction: bids in micros, distinct tie-break priorities, reserve, slot weights. */
const auctionArb = (mechanisms: readonly Mechanism[] = MECHANISMS) =>
  fc
    .record({
      mechanism: fc.constantFrom(...mechanisms),
      bids: fc.array(fc.integer({ min: 0, max: 5_000_000 }), { minLength: 1, maxLength: 8 }),
      reserve: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 3_000_000 })),
      weights: fc.array(fc.double({ min: 0.05, max: 1, noNaN: true }), { minLength: 1, maxLength: 4 }),
      // Few distinct bid values make ties common.
      coarse: fc.boolean(),
      prioSeed: fc.integer({ min: 1, max: 1 << 30 }),
    })
    .map((a) => {
      const bids = a.coarse ? a.bids.map((b) => Math.round(b / 1_000_000) * 1_000_000) : a.bids;
      const w = [...a.weights].sort((x, y) => y - x);
      w[0] = 1;
      const slotWeights = a.mechanism === 'second-price' ? [1] : w;
      const priority = bids.map((_, i) => ((a.prioSeed * (i + 1) * 2654435761) >>> 0) ^ i);
      return { mechanism: a.mechanism, bids, reserve: a.reserve, slotWeights, priority };
    });

function clear(a: { mechanism: Mechanism; bids: number[]; reserve: number; slotWeights: number[]; priority: number[] }) {
  const out = auctionScratch(a.bids.length, a.slotWeights.length);
  runAuction(a.mechanism, Float64Array.from(a.bids), Uint32Array.from(a.priority), a.bids.length, a.reserve, Float64Array.from(a.slotWeights), out);
  const pay = new Array<number>(a.bids.length).fill(0);
  const slotOf = new Array<number>(a.bids.length).fill(-1);
  for (let j = 0; j < a.slotWeights.length; j++) {
    const w = out.winner[j]!;
    if (w >= 0) {
      pay[w] = out.price[j]!;
      slotOf[w] = j;
    }
  }
  return { pay, slotOf, winner: Array.from(out.winner), price: Array.from(out.price) };
}

describe('auction mechanisms (properties)', () => {
  it('losers pay nothing; winners pay a whole number of micros, never above bid × slot weight', () => {
    fc.assert(
      fc.property(auctionArb(), (a) => {
        const r = clear(a);
        a.bids.forEach((b, i) => {
          if (r.slotOf[i] === -1) expect(r.pay[i]).toBe(0);
          else {
            expect(Number.isInteger(r.pay[i])).toBe(true);
            expect(r.pay[i]).toBeLessThanOrEqual(b * a.slotWeights[r.slotOf[i]!]! + 1e-9);
          }
        });
      }),
      { numRuns: 3000 },
    );
  });

  it('nobody wins below the reserve, and zero bids never win', () => {
    fc.assert(
      fc.property(auctionArb(), (a) => {
        const r = clear(a);
        r.slotOf.forEach((s, i) => {
          if (s >= 0) {
            expect(a.bids[i]).toBeGreaterThanOrEqual(a.reserve);
            expect(a.bids[i]).toBeGreaterThan(0);
          }
        });
      }),
      { numRuns: 3000 },
    );
  });

  it('slots go to the highest bids, in order, and no slot is left empty while a qualifying bid lost', () => {
    fc.assert(
      fc.property(auctionArb(), (a) => {
        const r = clear(a);
        const wonBids = r.winner.filter((w) => w >= 0).map((w) => a.bids[w]!);
        for (let j = 1; j < wonBids.length; j++) expect(wonBids[j]).toBeLessThanOrEqual(wonBids[j - 1]!);
        const minWon = wonBids.length ? Math.min(...wonBids) : Infinity;
        const qualifyingLosers = a.bids.filter((b, i) => r.slotOf[i] === -1 && b > 0 && b >= a.reserve);
        if (wonBids.length < a.slotWeights.length) expect(qualifyingLosers).toEqual([]);
        for (const b of qualifyingLosers) expect(b).toBeLessThanOrEqual(minWon);
      }),
      { numRuns: 3000 },
    );
  });

  it('second price charges max(next bid, reserve)', () => {
    fc.assert(
      fc.property(auctionArb(['second-price']), (a) => {
        const r = clear(a);
        const w = r.winner[0]!;
        if (w < 0) return;
        const others = a.bids.filter((b, i) => i !== w && b > 0 && b >= a.reserve);
        const next = others.length ? Math.max(...others) : 0;
        expect(r.price[0]).toBe(Math.max(next, a.reserve));
      }),
      { numRuns: 3000 },
    );
  });

  it('in second price, bidding the true value is never worse than any other bid', () => {
    fc.assert(
      fc.property(
        auctionArb(['second-price']),
        fc.integer({ min: 0, max: 5_000_000 }),
        fc.integer({ min: 0, max: 6_000_000 }),
        (a, value, deviation) => {
          // Bidder 0 has `value`; compare its utility bidding truthfully vs bidding `deviation`.
          const utility = (bid: number) => {
            const r = clear({ ...a, bids: [bid, ...a.bids.slice(1)] });
            return r.slotOf[0] === 0 ? value - r.pay[0]! : 0;
          };
          expect(utility(value)).toBeGreaterThanOrEqual(utility(deviation));
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('outcomes do not depend on the order bidders are listed in', () => {
    fc.assert(
      fc.property(auctionArb(), fc.integer({ min: 0, max: 1e9 }), (a, s) => {
        const n = a.bids.length;
        const perm = Array.from({ length: n }, (_, i) => i);
        let x = s;
        for (let i = n - 1; i > 0; i--) {
          x = (x * 1103515245 + 12345) % 2147483648;
          const j = x % (i + 1);
          [perm[i], perm[j]] = [perm[j]!, perm[i]!];
        }
        const r1 = clear(a);
        const r2 = clear({ ...a, bids: perm.map((i) => a.bids[i]!), priority: perm.map((i) => a.priority[i]!) });
        // Slot j goes to the same original bidder at the same price.
        expect(r2.winner.map((w) => (w >= 0 ? perm[w] : -1))).toEqual(r1.winner);
        expect(r2.price).toEqual(r1.price);
      }),
      { numRuns: 3000 },
    );
  });

  it('GSP charges every slot at least what VCG charges for the same bids', () => {
    fc.assert(
      fc.property(auctionArb(['gsp']), (a) => {
        const g = clear(a);
        const v = clear({ ...a, mechanism: 'vcg' });
        expect(v.winner).toEqual(g.winner);
        g.price.forEach((p, j) => expect(p).toBeGreaterThanOrEqual(v.price[j]!));
      }),
      { numRuns: 3000 },
    );
  });

  it('VCG never charges above GSP through rounding (slot weights that do not telescope exactly)', () => {
    // Found by the property above: weights whose differences do not sum back exactly in floating point.
    // Slot 1: GSP 5e6 × 0.204 = 1,019,999.9999999999 → 1,019,999; VCG (0.204 − 0.175)·5e6 + 0.175·5e6 = 1,020,000 unclamped.
    const a = { bids: [5_000_000, 5_000_000, 5_000_000, 5_000_000], reserve: 0, slotWeights: [1, 0.204, 0.175], priority: [4, 3, 2, 1] };
    const g = clear({ ...a, mechanism: 'gsp' });
    const v = clear({ ...a, mechanism: 'vcg' });
    g.price.forEach((p, j) => expect(p).toBeGreaterThanOrEqual(v.price[j]!));
  });

  it('matches hand-computed GSP and VCG prices for three bids and two slots', () => {
    const a = { bids: [3_000_000, 2_000_000, 1_000_000], reserve: 0, slotWeights: [1, 0.5], priority: [3, 2, 1] };
    expect(clear({ ...a, mechanism: 'gsp' }).price).toEqual([2_000_000, 500_000]);
    // VCG: slot 0 pays (1 − 0.5)·2 + 0.5·1 = 1.5; slot 1 pays 0.5·1 = 0.5.
    expect(clear({ ...a, mechanism: 'vcg' }).price).toEqual([1_500_000, 500_000]);
    expect(clear({ ...a, mechanism: 'first-price' }).price).toEqual([3_000_000, 1_000_000]);
    // Reserve 1.5: the third bid cannot take slot 1; slot 1's winner (2.0) pays the reserve.
    expect(clear({ ...a, reserve: 1_500_000, mechanism: 'gsp' }).price).toEqual([2_000_000, 750_000]);
  });

  it('regression (fast-check seed -222473643): a price is never rounded up past bid × weight', () => {
    const r = clear({ mechanism: 'first-price', bids: [1, 1], reserve: 0, slotWeights: [1, 0.999999], priority: [2654435761, 1013904227] });
    expect(r.price[1]).toBeLessThanOrEqual(1 * 0.999999);
  });

  it('breaks ties by priority, not by position', () => {
    const r = clear({ mechanism: 'second-price', bids: [1_000_000, 1_000_000], reserve: 0, slotWeights: [1], priority: [5, 9] });
    expect(r.winner[0]).toBe(1);
    expect(r.price[0]).toBe(1_000_000);
  });
});
