/**
 * SS-MDP (Yuan et al., 2014 as set up by Cai et al., 2017): RLB's value table
 * and bidding rule, but blind to the auction's own predicted CTR: every
 * auction is taken to have the training average CTR.
 */
import type { LogInfo } from '../../env/log/format.js';
import type { LogBidder } from '../../env/log/replay.js';
import { rlbInputs, type RlbOptions } from './rlb.js';
import { rlbBid, rlbTable, type RlbValueTable } from './rlb-table.js';

/** The SS-MDP bidder. */
export class SsMdpBidder implements LogBidder {
  readonly kind = 'ss-mdp';
  readonly table: RlbValueTable;
  constructor(info: LogInfo, horizon: number, budget: number, maxBid: number, options: RlbOptions = {}) {
    this.table = rlbTable(rlbInputs(info, horizon, budget, maxBid), { cacheDir: options.cacheDir ?? null });
  }
  bid(_pctr: number, auctionsLeft: number, budgetLeft: number): number {
    return rlbBid(this.table, auctionsLeft, budgetLeft, this.table.inputs.avgCtr);
  }
}
