import { describe, expect, it } from 'vitest';
import { budgetOptimum, regretParts, type EvalRecords } from '../../experiments/hindsight.js';

/** Records of 4 auctions, of which the tests use the first `m`; slot arrays as given. */
function records(slotValue: number[] = [], slotCost: number[] = []): EvalRecords {
  return {
    value: Float64Array.of(3, 2, 1, 100),
    competing: Float64Array.of(1, 1, 2, 0),
    cost: Float64Array.of(0, 1, 2.5, 0),
    won: Uint8Array.of(0, 1, 1, 0),
    slotValue: Float64Array.from(slotValue),
    slotCost: Float64Array.from(slotCost),
  };
}

describe('budgetOptimum', () => {
  it('takes the best value per cost within the budget, over the recorded auctions only', () => {
    // Budget 1.5 over auctions 0–2: auction 0 (3 for 1), then half of auction 1 (2 for 1).
    expect(budgetOptimum(records(), 3, 1, 1.5)).toMatchObject({ value: 4, integralValue: 3 });
    // The 4th entry (value 100 for free) is past m and does not count.
    expect(budgetOptimum(records(), 3, 1, 100).value).toBe(6);
  });

  it('with several slots, picks at most one slot per auction at its price', () => {
    // 2 auctions × 2 slots: (value, price) = (3, 2), (2, 0.5) | (4, 1), (1, 0.1).
    const rec = records([3, 2, 4, 1], [2, 0.5, 1, 0.1]);
    expect(budgetOptimum(rec, 2, 2, 100).value).toBe(7);
    expect(budgetOptimum(rec, 1, 2, 100).value).toBe(3);
  });
});

describe('regretParts', () => {
  it('one slot: regret against the best response, split into overbid and underbid', () => {
    // Best response: win 0 (3 − 1) and 1 (2 − 1), skip 2 (1 < 2): 3. Got: (2 − 1) + (1 − 2.5) = −0.5.
    const g = regretParts(records(), 3, 1, -0.5);
    expect(g.regret).toBeCloseTo(3.5, 12);
    // Lost auction 0, worth 3 − 1.
    expect(g.underbid).toBeCloseTo(2, 12);
    // Won auction 2: paid 0.5 over the price to beat, and it was worth 1 less than that price.
    expect(g.overbid).toBeCloseTo(1.5, 12);
  });

  it('several slots: regret against the best slot (or none) of each auction, no split', () => {
    const rec = records([3, 2, 4, 1], [2, 0.5, 1, 0.1]);
    // Best: max(0, 1, 1.5) + max(0, 3, 0.9) = 1.5 + 3.
    expect(regretParts(rec, 2, 2, 1)).toEqual({ regret: 3.5, overbid: 0, underbid: 0 });
  });
});
