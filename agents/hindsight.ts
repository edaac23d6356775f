/**
 * The best a bidder could have done in hindsight, against the same realised
 * auctions: the yardstick for the competitive ratio (bidders with a budget) and
 * for regret (bidders without one).
 *
 * In hindsight, auction i is an item of a knapsack: winning it is worth `v_i`
 * (the true expected value of the top slot to this bidder) and costs `c_i` (the
 * price to beat: the highest competing bid, or the reserve, whichever is higher).
 * With an episode budget B the best total value is the 0/1 knapsack
 *
 *   max Σ v_i x_i   s.t.   Σ c_i x_i ≤ B,  x_i ∈ {0, 1}.
 *
 * It is NP-hard in general, but its LP relaxation (x_i ∈ [0, 1]) is solved
 * exactly by Dantzig's greedy rule: take items by decreasing v_i / c_i and a
 * fraction of the first one that does not fit (Dantzig, 1957). The LP value is
 * an upper bound on the integer optimum, so a competitive ratio computed against
 * it is conservative (never flatters the bidder). With thousands of small items
 * the two differ by at most one item's value. The same order, skipping items
 * that do not fit, gives a feasible integer solution: a lower bound, reported
 * alongside (`integralValue`).
 *
 * With several slots (gsp, vcg, generalised first price) each auction offers a
 * choice: slot j for value v_ij at cost c_ij, or nothing: a multiple-choice
 * knapsack. {@link hindsightOptimumSlots} solves its LP relaxation exactly
 * (Sinha & Zoltners, 1979): in each auction keep the upper convex hull of the
 * options (from "nothing" at (0, 0)), whose successive increments have falling
 * value per unit of cost, then take increments of all auctions greedily by that
 * ratio. {@link slotPrices} gives c_ij from the competing bids and the mechanism.
 */
import { MICROS, toMicros } from '../env/exchange/ledger.js';

/** Result of {@link hindsightOptimum}. */
export interface HindsightResult {
  /** Optimum of the LP relaxation (fractional knapsack): an upper bound on the best value, currency units. */
  value: number;
  /** Value of the greedy integer solution (a feasible choice of whole auctions): a lower bound, currency units. */
  integralValue: number;
  /** Spend of the LP solution, currency units (≤ budget). */
  spend: number;
  /** Share of each auction taken in the LP solution, in [0, 1] (at most one is fractional). */
  picked: Float64Array;
}

/**
 * Best total value over the realised auctions of one episode with total cost ≤ budget.
 *
 * Auctions with a non-positive value are never taken; auctions that cost nothing
 * are always taken. Ties in value/cost are broken by auction index, so the result
 * is deterministic.
 *
 * @param values true expected value of winning each auction (top slot), currency units, ≥ 0
 * @param costs price to win each auction (highest competing bid or reserve), currency units, ≥ 0; same length
 * @param budget episode budget, currency units (≥ 0; `Infinity` for none)
 * @example hindsightOptimum(Float64Array.of(3, 2), Float64Array.of(1, 1), 1).value // 3
 */
export function hindsightOptimum(values: Float64Array, costs: Float64Array, budget: number): HindsightResult {
  const n = values.length;
  if (costs.length !== n) throw new RangeError(`hindsightOptimum: costs has length ${costs.length}, expected ${n} (the length of values)`);
  if (!(budget >= 0)) throw new RangeError(`hindsightOptimum: budget must be ≥ 0, got ${budget}`);
  const picked = new Float64Array(n);
  // Candidates: positive value; order by value per unit of cost, free items first.
  const order: number[] = [];
  for (let i = 0; i < n; i++) {
    const v = values[i]!;
    const c = costs[i]!;
    if (!(c >= 0) || !Number.isFinite(v)) throw new RangeError(`hindsightOptimum: auction ${i} has value ${v} and cost ${c}; expected finite values and costs ≥ 0`);
    if (v > 0) order.push(i);
  }
  // Free items strictly first: a tiny cost can overflow v / c to Infinity, which
  // must not tie with (and, by index, go before) an item that costs nothing.
  const ratio = (i: number): number => (costs[i]! === 0 ? Infinity : values[i]! / costs[i]!);
  order.sort((a, b) => {
    const fa = costs[a]! === 0;
    const fb = costs[b]! === 0;
    if (fa !== fb) return fa ? -1 : 1;
    const ra = ratio(a);
    const rb = ratio(b);
    return ra === rb ? a - b : rb - ra;
  });

  let left = budget;
  let value = 0;
  let spend = 0;
  let k = 0;
  for (; k < order.length; k++) {
    const i = order[k]!;
    const c = costs[i]!;
    if (c > left) break;
    picked[i] = 1;
    value += values[i]!;
    spend += c;
    left -= c;
  }
  // The integer greedy solution shares the whole items taken so far, then keeps
  // taking whatever still fits.
  let integralValue = value;
  let integralLeft = left;
  if (k < order.length) {
    const i = order[k]!;
    const share = left / costs[i]!;
    picked[i] = share;
    value += share * values[i]!;
    spend += left;
    for (let j = k + 1; j < order.length; j++) {
      const m = order[j]!;
      if (costs[m]! <= integralLeft) {
        integralValue += values[m]!;
        integralLeft -= costs[m]!;
      }
    }
  }
  return { value, integralValue, spend, picked };
}

/** Result of {@link hindsightOptimumSlots}. */
export interface SlotHindsightResult {
  /** Optimum of the LP relaxation: an upper bound on the best value, currency units. */
  value: number;
  /** Value of the LP solution without its one fractional step (a feasible choice of whole slots): a lower bound. */
  integralValue: number;
  /** Spend of the LP solution (≤ budget). */
  spend: number;
}

/**
 * Best total value over the realised auctions of one episode when each auction
 * offers several slots, with total cost ≤ budget (LP relaxation of the
 * multiple-choice knapsack; equals {@link hindsightOptimum}'s `value` with one slot).
 *
 * @param values `n × slots`, row-major: true expected value of slot j of auction i, currency units
 * @param costs `n × slots`, row-major: price of getting slot j (see {@link slotPrices}), currency units; Infinity when out of reach
 * @param slots number of slots (≥ 1)
 * @param budget episode budget, currency units (≥ 0; Infinity for none)
 * @example hindsightOptimumSlots(Float64Array.of(3, 2), Float64Array.of(2, 0.5), 2, 1).value // 2 + 1 × (1 / 1.5) = 2.667
 */
export function hindsightOptimumSlots(values: Float64Array, costs: Float64Array, slots: number, budget: number): SlotHindsightResult {
  if (!Number.isInteger(slots) || slots < 1) throw new RangeError(`hindsightOptimumSlots: slots must be an integer ≥ 1, got ${slots}`);
  if (values.length !== costs.length || values.length % slots !== 0) throw new RangeError(`hindsightOptimumSlots: values (${values.length}) and costs (${costs.length}) must both be auctions × ${slots} slots`);
  if (!(budget >= 0)) throw new RangeError(`hindsightOptimumSlots: budget must be ≥ 0, got ${budget}`);
  const n = values.length / slots;
  // Increments of every auction's hull: (auction, dc, dv), in hull order within an auction.
  const incAuction: number[] = [];
  const incCost: number[] = [];
  const incValue: number[] = [];
  let value = 0;
  const opts: { c: number; v: number }[] = [];
  for (let i = 0; i < n; i++) {
    opts.length = 0;
    let freeValue = 0;
    for (let j = 0; j < slots; j++) {
      const v = values[i * slots + j]!;
      const c = costs[i * slots + j]!;
      if (!Number.isFinite(v) || !(c >= 0)) throw new RangeError(`hindsightOptimumSlots: auction ${i} slot ${j} has value ${v} and cost ${c}; expected finite values and costs ≥ 0`);
      if (v <= 0 || c === Infinity) continue;
      if (c === 0) freeValue = Math.max(freeValue, v);
      else opts.push({ c, v });
    }
    // The best free option is taken outright; the hull starts from it.
    value += freeValue;
    opts.sort((a, b) => a.c - b.c || b.v - a.v);
    let c0 = 0;
    let v0 = freeValue;
    const hullStart = incCost.length;
    for (const o of opts) {
      if (o.v <= v0) continue;
      // Pop hull points that this option makes non-concave.
      let dc = o.c - c0;
      let dv = o.v - v0;
      while (incCost.length > hullStart) {
        const k = incCost.length - 1;
        if (incValue[k]! / incCost[k]! > dv / dc) break;
        c0 -= incCost[k]!;
        v0 -= incValue[k]!;
        dc = o.c - c0;
        dv = o.v - v0;
        incAuction.pop();
        incCost.pop();
        incValue.pop();
      }
      incAuction.push(i);
      incCost.push(dc);
      incValue.push(dv);
      c0 = o.c;
      v0 = o.v;
    }
  }
  const order = incCost.map((_, k) => k);
  order.sort((a, b) => {
    const ra = incValue[a]! / incCost[a]!;
    const rb = incValue[b]! / incCost[b]!;
    return ra === rb ? a - b : rb - ra;
  });
  let left = budget;
  let spend = 0;
  let integralValue = value;
  for (const k of order) {
    const c = incCost[k]!;
    if (c > left) {
      const share = left / c;
      value += share * incValue[k]!;
      spend += left;
      break;
    }
    value += incValue[k]!;
    integralValue += incValue[k]!;
    spend += c;
    left -= c;
  }
  return { value, integralValue, spend };
}

/**
 * The price a bidder would pay for each slot of one auction, given the other
 * bidders' bids: to take slot j it must outbid all but the j highest of them,
 * and then pays what the mechanism charges there (mechanisms.ts):
 *   first price, second price, gsp:  w_j · max(c_j, r)
 *   vcg:                             Σ_{k ≥ j} (w_k − w_{k+1}) · max(c_k, r)
 * where c_0 ≥ c_1 ≥ … are the competing bids (per unit of slot weight) and r the
 * reserve. A slot with fewer competitors than its rank costs the reserve.
 *
 * @param mechanism first-price | second-price | gsp | vcg
 * @param competing the other eligible bidders' bids, currency units, sorted in decreasing order
 * @param reserve reserve price, currency units
 * @param slotWeights weight of each slot (w_0 = 1)
 * @param out receives one price per slot
 * @param currency true when bids and prices are currency units: prices are then
 *   rounded down to the micro, as the market charges them (default false: any unit, unrounded)
 */
export function slotPrices(mechanism: string, competing: ArrayLike<number>, reserve: number, slotWeights: ArrayLike<number>, out: Float64Array, currency = false): void {
  const S = slotWeights.length;
  if (currency) {
    // In micros, exactly as runAuction computes them: bids are whole micros.
    const c = new Float64Array(S);
    for (let k = 0; k < S; k++) c[k] = Math.round((k < competing.length ? competing[k]! : 0) * MICROS);
    slotPrices(mechanism, c, Math.round(reserve * MICROS), slotWeights, out);
    for (let j = 0; j < S; j++) out[j] = Math.floor(out[j]!) / MICROS;
    return;
  }
  const c = (k: number): number => Math.max(k < competing.length ? competing[k]! : 0, reserve);
  for (let j = 0; j < S; j++) {
    if (mechanism === 'vcg') {
      let p = 0;
      for (let k = j; k < S; k++) p += (slotWeights[k]! - (k + 1 < S ? slotWeights[k + 1]! : 0)) * c(k);
      out[j] = p;
    } else if (mechanism === 'first-price' || mechanism === 'second-price' || mechanism === 'gsp') {
      out[j] = slotWeights[j]! * c(j);
    } else {
      throw new RangeError(`slotPrices: unknown mechanism "${mechanism}"`);
    }
  }
}

/** Result of {@link regretDecomposition}; all figures currency units, summed over the auctions given. */
export interface RegretParts {
  /** Best utility in hindsight without a budget: Σ max(0, v_i − c_i). */
  hindsightUtility: number;
  /** Utility obtained: Σ over won auctions of (v_i − cost_i). */
  utility: number;
  /** hindsightUtility − utility = overbid + underbid (exactly, for single-slot auctions). */
  regret: number;
  /** Regret from bidding too high: overpayment + wrongWins. */
  overbid: number;
  /** Paid more than the price to beat in auctions won: Σ_won (cost_i − c_i) (AuctionGym's overbid regret; 0 in second price). */
  overpayment: number;
  /** Won auctions not worth their price: Σ_won max(0, c_i − v_i). */
  wrongWins: number;
  /** Regret from bidding too low: surplus of auctions lost that were worth winning, Σ_lost max(0, v_i − c_i). */
  underbid: number;
}

/**
 * Regret of a bidder without a budget, split into overbid and underbid parts
 * (after AuctionGym, Jeunen et al. 2022, which splits regret into overbidding,
 * underbidding and estimation parts). Against the hindsight best response, which
 * wins exactly the auctions with v_i > c_i at price c_i:
 *
 *   regret = Σ_won (cost_i − c_i) + Σ_won max(0, c_i − v_i) + Σ_lost max(0, v_i − c_i)
 *            └─ overpayment ──┘   └──── wrong wins ─────┘   └──── underbid ─────┘
 *
 * AuctionGym measures underbidding by the gap between the winning price and the
 * bid; here it is the surplus forgone, so that the parts add up to the regret.
 *
 * @param values true expected value of the top slot in each auction, currency units
 * @param competingBids price to win each auction (highest competing bid or reserve), currency units
 * @param costs payment made in each auction (0 when lost), currency units
 * @param won 1 where the bidder won, 0 where it lost
 * @example regretDecomposition(Float64Array.of(1), Float64Array.of(0.5), Float64Array.of(0), Uint8Array.of(0)).underbid // 0.5
 */
export function regretDecomposition(values: Float64Array, competingBids: Float64Array, costs: Float64Array, won: Uint8Array): RegretParts {
  const n = values.length;
  for (const [name, a] of [['competingBids', competingBids], ['costs', costs], ['won', won]] as const) {
    if (a.length !== n) throw new RangeError(`regretDecomposition: ${name} has length ${a.length}, expected ${n} (the length of values)`);
  }
  let hindsightUtility = 0;
  let utility = 0;
  let overpayment = 0;
  let wrongWins = 0;
  let underbid = 0;
  for (let i = 0; i < n; i++) {
    const v = values[i]!;
    const c = competingBids[i]!;
    hindsightUtility += Math.max(0, v - c);
    if (won[i]) {
      utility += v - costs[i]!;
      overpayment += costs[i]! - c;
      wrongWins += Math.max(0, c - v);
    } else {
      underbid += Math.max(0, v - c);
    }
  }
  const overbid = overpayment + wrongWins;
  return { hindsightUtility, utility, regret: hindsightUtility - utility, overbid, overpayment, wrongWins, underbid };
}

/** One evaluation episode of one bidder, as {@link bestFixedMultiplier} replays it. */
export interface MultiplierEpisode {
  /** Auctions recorded (the arrays may be longer). */
  n: number;
  /** The bidder's own estimate of the top slot's value in each auction (what a bid multiplies), currency units. */
  estimates: Float64Array;
  /** True expected value of the top slot in each auction (slot j is worth `w_j` times it), currency units. */
  values: Float64Array;
  /**
   * `n × slots`, row-major: the other bidders' highest `slots` bids in each
   * auction, decreasing, 0 where there were fewer (per unit of slot weight).
   */
  competing: Float64Array;
}

/** Market rules {@link bestFixedMultiplier} replays the auctions under. */
export interface MultiplierRules {
  mechanism: string;
  reservePrice: number;
  slotWeights: ArrayLike<number>;
  /** Episode budget (null or Infinity: none). */
  budget: number | null;
  /** Multipliers tried (default {@link MULTIPLIER_GRID}). */
  grid?: ArrayLike<number>;
}

/** Result of {@link bestFixedMultiplier}: figures summed over the episodes given. */
export interface FixedMultiplierResult {
  /** The best multiplier of the grid (the lowest one among ties). */
  multiplier: number;
  /** Its value won, spend and utility (value − spend), currency units, summed over the episodes. */
  value: number;
  spend: number;
  utility: number;
  /** Auctions it won. */
  wins: number;
}

/** Multipliers 0, 0.01, …, 2: {@link bestFixedMultiplier}'s default grid. */
export const MULTIPLIER_GRID: Float64Array = Float64Array.from({ length: 201 }, (_, i) => i / 100);

/**
 * The best *fixed* bid multiplier in hindsight: the bidder that bids α × its own
 * value estimate in every auction, for one α chosen after the fact, replayed on
 * the same realised auctions (the other bidders' bids held as they were: the
 * regret benchmark of online learning, e.g. Balseiro & Gur 2019). Every mechanism
 * is replayed with its own prices, first price included, so first-price bidders
 * get a same-draw benchmark, not a clairvoyant one.
 *
 * In each auction the bid is capped by the budget left (as the market caps it);
 * it takes slot j when it beats all but j of the competing bids (ties lose) and
 * clears the reserve, and pays what the mechanism charges there; a bidder whose
 * budget left falls below max(reserve, one micro) leaves until the episode ends,
 * as in the market. With a budget the best α maximises the value won (what the
 * competitive ratio counts); without one it maximises utility.
 *
 * @param episodes the bidder's evaluation episodes (one α for all of them; the budget is per episode)
 * @param rules mechanism, reserve, slot weights, budget, grid
 * @example bestFixedMultiplier([{ n: 1, estimates: Float64Array.of(1), values: Float64Array.of(1), competing: Float64Array.of(0.5) }], { mechanism: 'first-price', reservePrice: 0, slotWeights: [1], budget: null }).multiplier // 0.51
 */
export function bestFixedMultiplier(episodes: readonly MultiplierEpisode[], rules: MultiplierRules): FixedMultiplierResult {
  const S = rules.slotWeights.length;
  const grid = rules.grid ?? MULTIPLIER_GRID;
  const budget = rules.budget === null ? Infinity : rules.budget;
  if (!(budget >= 0)) throw new RangeError(`bestFixedMultiplier: budget must be ≥ 0, got ${budget}`);
  for (const e of episodes) {
    if (e.estimates.length < e.n || e.values.length < e.n || e.competing.length < e.n * S) throw new RangeError(`bestFixedMultiplier: an episode records ${e.n} auctions but its arrays are shorter (competing needs n × ${S})`);
  }
  const first = rules.mechanism === 'first-price';
  let sorted = true;
  for (let g = 1; g < grid.length; g++) if (!(grid[g]! > grid[g - 1]!)) sorted = false;
  if (budget === Infinity && sorted && grid.length > 0) return bestFixedMultiplierUnbudgeted(episodes, rules, grid, first);
  // Replayed in integer micros, rounded as the market rounds (bids down to the
  // micro, prices down to the micro), so a replay of the multiplier a bidder
  // really used gives what the market gave it.
  const prices = new Float64Array(S);
  const comp = new Float64Array(S);
  const budgetM = budget === Infinity ? Infinity : toMicros(budget);
  const reserveM = toMicros(rules.reservePrice);
  const minLeft = Math.max(reserveM, 1);
  let best: FixedMultiplierResult | null = null;
  for (let g = 0; g < grid.length; g++) {
    const alpha = grid[g]!;
    let value = 0;
    let spendM = 0;
    let wins = 0;
    for (const e of episodes) {
      let left = budgetM;
      for (let i = 0; i < e.n && left >= minLeft; i++) {
        const bid = Math.min(toMicros(alpha * e.estimates[i]!), left);
        if (!(bid > 0) || bid < reserveM) continue;
        for (let j = 0; j < S; j++) comp[j] = Math.round(e.competing[i * S + j]! * MICROS);
        let slot = 0;
        while (slot < S && comp[slot]! >= bid) slot++;
        if (slot === S) continue;
        let price: number;
        if (first) price = Math.floor(bid * rules.slotWeights[slot]!);
        else {
          slotPrices(rules.mechanism, comp, reserveM, rules.slotWeights, prices);
          price = Math.floor(prices[slot]!);
        }
        value += e.values[i]! * rules.slotWeights[slot]!;
        spendM += price;
        left -= price;
        wins++;
      }
    }
    const spend = spendM / MICROS;
    const r = { multiplier: alpha, value, spend, utility: value - spend, wins };
    const score = budget === Infinity ? r.utility : r.value;
    const bestScore = best === null ? -Infinity : budget === Infinity ? best.utility : best.value;
    if (score > bestScore + 1e-12) best = r;
  }
  if (best === null) throw new RangeError('bestFixedMultiplier: the grid is empty');
  return best;
}

/**
 * {@link bestFixedMultiplier} without a budget: auctions do not interact, so each
 * one adds, over the (increasing) grid, a step function of α — slot j for the α
 * whose bid beats all but j competing bids and clears the reserve — found by
 * binary search and summed with difference arrays: O(auctions × slots × log grid)
 * instead of O(auctions × grid). Bids are rounded to the micro as the market
 * rounds them; first-price payments (the bid itself) are counted unrounded, so
 * utility and spend may differ from the market's by up to a micro per auction won.
 */
function bestFixedMultiplierUnbudgeted(episodes: readonly MultiplierEpisode[], rules: MultiplierRules, grid: ArrayLike<number>, first: boolean): FixedMultiplierResult {
  const S = rules.slotWeights.length;
  const G = grid.length;
  // Difference arrays over the grid: value, constant spend, spend per unit of α (first price), wins.
  const dValue = new Float64Array(G + 1);
  const dSpend = new Float64Array(G + 1);
  const dSpendPerAlpha = new Float64Array(G + 1);
  const dWins = new Float64Array(G + 1);
  const comp = new Float64Array(S);
  const prices = new Float64Array(S);
  const reserveM = toMicros(rules.reservePrice);
  const minBid = Math.max(reserveM, 1);
  // Where the search starts: the index an evenly spaced grid would put α = c / est at
  // (the default grid is; any other sorted grid only searches longer).
  const step = G > 1 ? (grid[G - 1]! - grid[0]!) / (G - 1) : 0;
  /** Whether multiplier grid[g]'s bid (in micros) is > c (strict: ties lose) or ≥ c. */
  const beats = (g: number, est: number, c: number, strict: boolean): boolean => {
    const b = toMicros(grid[g]! * est);
    return strict ? b > c : b >= c;
  };
  /** First grid index whose bid (in micros) is > c (strict: ties lose) or ≥ c. */
  const firstAbove = (est: number, c: number, strict: boolean): number => {
    // Invariant: every index below lo loses, every index from hi on wins (hi = G: none).
    let lo = 0;
    let hi = G;
    if (step > 0) {
      const guess = Math.ceil((c / (est * MICROS) - grid[0]!) / step);
      if (guess >= 0 && guess < G) {
        // Two checks around the guess (usually the answer), then the binary search between them.
        if (beats(guess, est, c, strict)) {
          hi = guess;
          if (guess === 0 || !beats(guess - 1, est, c, strict)) return guess;
          hi = guess - 1;
        } else {
          lo = guess + 1;
          if (lo === G || beats(lo, est, c, strict)) return lo;
          lo++;
        }
      }
    }
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const b = toMicros(grid[mid]! * est);
      if (strict ? b > c : b >= c) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  };
  for (const e of episodes) {
    for (let i = 0; i < e.n; i++) {
      const est = e.estimates[i]!;
      if (!(est > 0)) continue;
      const gReserve = firstAbove(est, minBid, false);
      if (gReserve >= G) continue;
      for (let j = 0; j < S; j++) comp[j] = Math.round(e.competing[i * S + j]! * MICROS);
      if (!first) slotPrices(rules.mechanism, comp, reserveM, rules.slotWeights, prices);
      // Slot j from the first α beating c_j (and the reserve) up to the first α beating c_{j−1}.
      let hi = G;
      for (let j = 0; j < S; j++) {
        const lo = Math.max(firstAbove(est, comp[j]!, true), gReserve);
        if (lo < hi) {
          const w = rules.slotWeights[j]!;
          const v = e.values[i]! * w;
          dValue[lo]! += v;
          dValue[hi]! -= v;
          dWins[lo]! += 1;
          dWins[hi]! -= 1;
          if (first) {
            dSpendPerAlpha[lo]! += est * w;
            dSpendPerAlpha[hi]! -= est * w;
          } else {
            const p = Math.floor(prices[j]!) / MICROS;
            dSpend[lo]! += p;
            dSpend[hi]! -= p;
          }
        }
        hi = Math.min(hi, lo);
        if (hi <= gReserve) break;
      }
    }
  }
  let value = 0;
  let spendConst = 0;
  let spendPerAlpha = 0;
  let wins = 0;
  let best: FixedMultiplierResult | null = null;
  for (let g = 0; g < G; g++) {
    value += dValue[g]!;
    spendConst += dSpend[g]!;
    spendPerAlpha += dSpendPerAlpha[g]!;
    wins += dWins[g]!;
    const spend = spendConst + grid[g]! * spendPerAlpha;
    const r = { multiplier: grid[g]!, value, spend, utility: value - spend, wins: Math.round(wins) };
    if (best === null || r.utility > best.utility + 1e-12) best = r;
  }
  return best!;
}
