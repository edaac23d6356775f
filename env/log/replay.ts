/**
 * Log replay: a bidder replays a whole bid log alone against the logged market
 * prices, the evaluation protocol of Zhang et al. (2014) and Cai et al. (2017):
 *
 * - the log is read top to bottom in episodes of `horizon` consecutive
 *   auctions; the last, shorter piece is played too, with the full budget,
 *   the bidder believing `horizon` auctions remain (so every line counts);
 * - each episode starts with the full `budget` (what is left is dropped);
 * - the bid is rounded down to an integer (`integerBids`, the default) and
 *   capped at `maxBid` and at the budget left, so nothing ever overspends;
 * - the bid wins when it is ≥ the logged price (a tie wins) and the winner pays
 *   the logged price; a won auction's click (and conversion, value) counts.
 *
 * The hindsight optimum of an episode (knowing every price and click in
 * advance) is a 0/1 knapsack of clicks under the budget; as every click is worth
 * the same, taking the cheapest clicked auctions first is optimal, so it only
 * needs the (rare) clicked auctions: {@link hindsightClicks}.
 */
import { InputError } from '../errors.js';
import type { BidLog, LogInfo } from './format.js';

/** A bidder in a replay. */
export interface LogBidder {
  /** Called before each episode (0-based), with the episode's budget and horizon. */
  startEpisode?(episode: number, budget: number, horizon: number): void;
  /**
   * The bid for one auction.
   * @param pctr the auction's predicted CTR
   * @param auctionsLeft auctions left in the episode, this one included (horizon … 1)
   * @param budgetLeft budget left in the episode
   * @param index the auction's line in the log (0-based)
   */
  bid(pctr: number, auctionsLeft: number, budgetLeft: number, index: number): number;
  /** Called after each auction with what happened. */
  outcome?(index: number, won: boolean, price: number, click: number): void;
}

/** The replay protocol. */
export interface ReplayProtocol {
  /** Auctions per episode (N). */
  horizon: number;
  /** Budget of every episode (B); Infinity for none. */
  budget: number;
  /** Largest bid (bids are capped at it). */
  maxBid: number;
  /** Round bids down to integers (the paper's protocol; default true). */
  integerBids?: boolean;
}

/** Per-episode counts of a replay (typed arrays, one entry an episode). */
export interface EpisodeCounts {
  auctions: Int32Array;
  impressions: Int32Array;
  clicks: Int32Array;
  conversions: Int32Array;
  cost: Float64Array;
  value: Float64Array;
}

/** Result of {@link replay}. */
export interface ReplayResult {
  auctions: number;
  impressions: number;
  clicks: number;
  conversions: number;
  /** Sum of the prices paid. */
  cost: number;
  /** Sum of the `value` column over won auctions (0 without one). */
  value: number;
  /** impressions / auctions. */
  winRate: number;
  episodes: EpisodeCounts;
}

/** Number of episodes of a log of `length` lines (the last shorter piece counts). */
export function episodeCount(length: number, horizon: number): number {
  return Math.ceil(length / horizon);
}

/** Checks a protocol; throws InputError naming the field. */
export function checkProtocol(p: ReplayProtocol): void {
  if (!Number.isInteger(p.horizon) || p.horizon < 1) throw new InputError(`auctionsPerEpisode: must be an integer ≥ 1, got ${p.horizon}`);
  if (!(p.budget >= 0)) throw new InputError(`budget: must be ≥ 0, got ${p.budget}`);
  if (!(p.maxBid >= 0) || !Number.isFinite(p.maxBid)) throw new InputError(`log.maxPrice: must be a finite number ≥ 0, got ${p.maxBid}`);
}

/** Replays the whole log for one bidder. */
export function replay(log: BidLog, bidder: LogBidder, protocol: ReplayProtocol): ReplayResult {
  checkProtocol(protocol);
  const { horizon: N, budget: B, maxBid } = protocol;
  const integer = protocol.integerBids ?? true;
  const E = episodeCount(log.length, N);
  const ep: EpisodeCounts = {
    auctions: new Int32Array(E),
    impressions: new Int32Array(E),
    clicks: new Int32Array(E),
    conversions: new Int32Array(E),
    cost: new Float64Array(E),
    value: new Float64Array(E),
  };
  const { price, pctr, click, conversion, value } = log;
  const observe = bidder.outcome?.bind(bidder);
  for (let e = 0; e < E; e++) {
    const start = e * N;
    const end = Math.min(start + N, log.length);
    bidder.startEpisode?.(e, B, N);
    let b = B;
    let imps = 0;
    let clks = 0;
    let convs = 0;
    let cost = 0;
    let val = 0;
    for (let i = start; i < end; i++) {
      let a = bidder.bid(pctr[i]!, N - (i - start), b, i);
      if (!(a >= 0)) a = 0; // NaN or negative: no bid
      if (integer) a = Math.floor(a);
      if (a > maxBid) a = maxBid;
      if (a > b) a = b;
      const p = price[i]!;
      const won = a >= p;
      if (won) {
        imps++;
        clks += click[i]!;
        if (conversion) convs += conversion[i]!;
        if (value) val += value[i]!;
        cost += p;
        b -= p;
      }
      observe?.(i, won, p, click[i]!);
    }
    ep.auctions[e] = end - start;
    ep.impressions[e] = imps;
    ep.clicks[e] = clks;
    ep.conversions[e] = convs;
    ep.cost[e] = cost;
    ep.value[e] = val;
  }
  const sum = (a: ArrayLike<number>) => {
    let s = 0;
    for (let i = 0; i < a.length; i++) s += a[i]!;
    return s;
  };
  const impressions = sum(ep.impressions);
  return {
    auctions: log.length,
    impressions,
    clicks: sum(ep.clicks),
    conversions: sum(ep.conversions),
    cost: sum(ep.cost),
    value: sum(ep.value),
    winRate: impressions / log.length,
    episodes: ep,
  };
}

/**
 * The most clicks one could win in each episode knowing everything in advance:
 * the 0/1 knapsack of the clicked auctions (worth 1 each, costing their price)
 * under the episode budget, auctions priced above `maxBid` excluded. With equal
 * values the cheapest-first choice is optimal (exchange argument), so only the
 * clicked auctions are sorted.
 */
export function hindsightClicks(log: BidLog, protocol: ReplayProtocol): Int32Array {
  checkProtocol(protocol);
  const { horizon: N, budget: B, maxBid } = protocol;
  const E = episodeCount(log.length, N);
  const out = new Int32Array(E);
  const prices = new Float64Array(N);
  for (let e = 0; e < E; e++) {
    const start = e * N;
    const end = Math.min(start + N, log.length);
    let k = 0;
    for (let i = start; i < end; i++) if (log.click[i] && log.price[i]! <= maxBid) prices[k++] = log.price[i]!;
    const clicked = prices.subarray(0, k).sort();
    let left = B;
    let n = 0;
    for (; n < k && clicked[n]! <= left; n++) left -= clicked[n]!;
    out[e] = n;
  }
  return out;
}

/** A budget as given in a config: an amount per episode, or the paper's `{ c0 }`. */
export type BudgetSpec = number | { c0: number };

/**
 * The episode budget: a number as is, or `{ c0 }` =
 * floor(cost_train / imp_train × c0 × horizon) (Cai et al.: c0 times the
 * training mean price times the auctions of an episode).
 */
export function episodeBudget(spec: BudgetSpec, info: LogInfo | null, horizon: number): number {
  if (typeof spec === 'number') return spec;
  if (!info) throw new InputError('budget: { c0 } needs the log\'s training statistics (log.info or log.trainPath)');
  if (!(spec.c0 > 0) || !Number.isFinite(spec.c0)) throw new InputError(`budget.c0: must be a number > 0, got ${spec.c0}`);
  return Math.floor((info.costTrain / info.impTrain) * spec.c0 * horizon);
}

/** The largest bid by default: the top of the training price histogram, else the highest logged price. */
export function defaultMaxBid(log: BidLog, info: LogInfo | null): number {
  if (info?.priceCounter) return info.priceCounter.length - 1;
  let m = 0;
  for (let i = 0; i < log.length; i++) if (log.price[i]! > m) m = log.price[i]!;
  return Math.ceil(m);
}
