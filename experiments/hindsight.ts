/**
 * Hindsight figures of one bidder's recorded evaluation episode (recorder.ts):
 * with a budget, the best value it could have won with that budget against the
 * same realised competing bids (for the competitive ratio); without one, its
 * regret against the best bid of each auction, split into overbidding and
 * underbidding where there is one slot. The algorithms are agents/hindsight.ts's.
 */
import { hindsightOptimum, hindsightOptimumSlots, regretDecomposition } from '../agents/hindsight.js';

/** One bidder's records of an evaluation episode, one entry per auction it was asked to (the first `m` are used). */
export interface EvalRecords {
  /** Value at stake (its best ad's value), currency units. */
  value: Float64Array;
  /** The highest competing bid (or the reserve), currency units. */
  competing: Float64Array;
  /** What it paid. */
  cost: Float64Array;
  /** 1 when it won. */
  won: Uint8Array;
  /** With several slots: value of each slot, `[auction * slots + slot]` (empty with one slot). */
  slotValue: Float64Array;
  /** With several slots: the price of each slot, same layout. */
  slotCost: Float64Array;
}

/**
 * The best value reachable in hindsight with `budget` over the first `m` auctions
 * (fractional `value`, and `integralValue` with whole auctions).
 */
export function budgetOptimum(rec: EvalRecords, m: number, slots: number, budget: number): { value: number; integralValue: number } {
  return slots > 1
    ? hindsightOptimumSlots(rec.slotValue.subarray(0, m * slots), rec.slotCost.subarray(0, m * slots), slots, budget)
    : hindsightOptimum(rec.value.subarray(0, m), rec.competing.subarray(0, m), budget);
}

/**
 * Regret over the first `m` auctions of a bidder without a budget that got
 * `utility` (value − spend). With one slot: against the best response to each
 * competing bid, split into overbid + underbid; with several: against the best
 * slot (or none) of each auction at its price, with no split (overbid, underbid 0).
 */
export function regretParts(rec: EvalRecords, m: number, slots: number, utility: number): { regret: number; overbid: number; underbid: number } {
  if (slots === 1) {
    const g = regretDecomposition(rec.value.subarray(0, m), rec.competing.subarray(0, m), rec.cost.subarray(0, m), rec.won.subarray(0, m));
    return { regret: g.regret, overbid: g.overbid, underbid: g.underbid };
  }
  let best = 0;
  for (let i = 0; i < m; i++) {
    let bi = 0;
    for (let j = 0; j < slots; j++) bi = Math.max(bi, rec.slotValue[i * slots + j]! - rec.slotCost[i * slots + j]!);
    best += bi;
  }
  return { regret: best - utility, overbid: 0, underbid: 0 };
}
