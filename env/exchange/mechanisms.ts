/**
 * Auction mechanisms over integer micros: first price, second price, GSP and VCG
 * for several slots with slot weights.
 *
 * In slot j a bidder's value and payment scale with `slotWeights[j]` (slot 0 has
 * weight 1; weights do not increase down the page). Bids are per unit of weight.
 * Bids below the reserve (or zero) never win. Ties are broken by a priority key
 * per bid (higher wins), never by the order in which bidders are listed.
 *
 * Payments (b_k = k-th highest eligible bid, r = reserve, w_K = 0):
 *   first-price   p_j = b_j · w_j
 *   second-price  p_0 = max(b_1, r)                       (one slot)
 *   gsp           p_j = max(b_{j+1}, r) · w_j              (next bid)
 *   vcg           p_j = Σ_{k=j}^{K-1} (w_k − w_{k+1}) · max(b_{k+1}, r)   (externality)
 * with prices rounded down to the micro, so nobody pays above their bid.
 */

/** Mechanism names accepted in configs. */
export const MECHANISMS = ['first-price', 'second-price', 'gsp', 'vcg'] as const;
/** A mechanism name. */
export type Mechanism = (typeof MECHANISMS)[number];

/** Where {@link runAuction} writes its result (preallocate once, reuse). */
export interface AuctionScratch {
  /** Ranked indices of the bids that clear the reserve (first `ranked` entries valid). */
  order: Int32Array;
  /** Number of bids that clear the reserve. */
  ranked: number;
  /** Index (into the bid array) of the winner of each slot, -1 for an empty slot. */
  winner: Int32Array;
  /** Price of each slot in micros (0 for an empty slot). */
  price: Float64Array;
}

/** Scratch space for auctions of up to `maxBidders` bids and `slots` slots. */
export function auctionScratch(maxBidders: number, slots: number): AuctionScratch {
  return { order: new Int32Array(maxBidders), ranked: 0, winner: new Int32Array(slots), price: new Float64Array(slots) };
}

/**
 * Clears one auction.
 * @param mechanism which payment rule
 * @param bids bids in integer micros (per unit of slot weight), `n` of them
 * @param priority tie-break key per bid (higher wins a tie)
 * @param n number of bids
 * @param reserve reserve price in integer micros (≥ 0)
 * @param slotWeights weight of each slot (`slotWeights[0] = 1`, non-increasing, > 0)
 * @param out scratch receiving the ranking, winners and prices
 */
export function runAuction(
  mechanism: Mechanism,
  bids: Float64Array,
  priority: Uint32Array,
  n: number,
  reserve: number,
  slotWeights: Float64Array,
  out: AuctionScratch,
): void {
  const slots = slotWeights.length;
  const order = out.order;
  // Rank the bids that clear the reserve: insertion sort, bid desc then priority desc
  // (auctions have few bidders; this beats a general sort and allocates nothing).
  let m = 0;
  for (let i = 0; i < n; i++) {
    const b = bids[i]!;
    if (b <= 0 || b < reserve) continue;
    let k = m++;
    while (k > 0) {
      const o = order[k - 1]!;
      const bo = bids[o]!;
      if (bo > b || (bo === b && priority[o]! > priority[i]!)) break;
      order[k] = o;
      k--;
    }
    order[k] = i;
  }
  out.ranked = m;
  for (let j = 0; j < slots; j++) {
    if (j >= m) {
      out.winner[j] = -1;
      out.price[j] = 0;
      continue;
    }
    const w = slotWeights[j]!;
    out.winner[j] = order[j]!;
    const next = j + 1 < m ? bids[order[j + 1]!]! : 0;
    let p: number;
    switch (mechanism) {
      case 'first-price':
        p = bids[order[j]!]! * w;
        break;
      case 'second-price':
      case 'gsp':
        p = Math.max(next, reserve) * w;
        break;
      case 'vcg': {
        p = 0;
        for (let k = j; k < slots; k++) {
          const wk = slotWeights[k]!;
          const wk1 = k + 1 < slots ? slotWeights[k + 1]! : 0;
          const bk1 = k + 1 < m ? bids[order[k + 1]!]! : 0;
          p += (wk - wk1) * Math.max(bk1, reserve);
        }
        // Mathematically the VCG price is at most GSP's, max(next, reserve) × w; the
        // telescoped sum can exceed it by rounding (a micro after the floor), so clamp.
        p = Math.min(p, Math.max(next, reserve) * w);
        break;
      }
    }
    out.price[j] = Math.floor(p);
  }
}
