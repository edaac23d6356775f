/**
 * Mcpc (Zhang et al., 2014; a baseline of Cai et al., 2017): bid the
 * predicted CTR times the training cost per click,
 *
 *   a = min(floor(pctr × cost_train / clk_train), maxBid, budget left).
 *
 * (The replay caps at maxBid and the budget left; the cap is repeated here so
 * that the bid is the rule's on its own.)
 */
import type { LogInfo } from '../../env/log/format.js';
import type { LogBidder } from '../../env/log/replay.js';

/** The Mcpc bidder. */
export class McpcBidder implements LogBidder {
  readonly kind = 'mcpc';
  /** Training cost per click. */
  readonly cpc: number;
  constructor(info: LogInfo, readonly maxBid: number) {
    this.cpc = info.costTrain / info.clkTrain;
  }
  bid(pctr: number, _auctionsLeft: number, budgetLeft: number): number {
    return Math.min(Math.floor(pctr * this.cpc), this.maxBid, budgetLeft);
  }
}
