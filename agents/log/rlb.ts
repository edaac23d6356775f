/**
 * RLB (Cai et al., "Real-Time Bidding by Reinforcement Learning in Display
 * Advertising", WSDM 2017): plan with the value table V[n][b] of
 * rlb-table.ts (future auctions at the average CTR, prices from the smoothed
 * training histogram), then bid for this auction with its own predicted CTR:
 * the largest d ≤ min(b, maxBid) with pctr + V[n−1][b−d'] − V[n−1][b] ≥ 0 for
 * all d' ≤ d, i.e. pay at most what the click is worth over the money's value
 * later.
 */
import type { LogInfo } from '../../env/log/format.js';
import type { LogBidder } from '../../env/log/replay.js';
import { marketPdf, rlbBid, rlbTable, type RlbTableInputs, type RlbValueTable } from './rlb-table.js';

/** Options shared by RLB and SS-MDP. */
export interface RlbOptions {
  /** Folder for the on-disk cache of value tables (none by default). */
  cacheDir?: string | null;
}

/** The value-table inputs of a campaign: N, B, maxBid, avgCTR and the smoothed training prices. */
export function rlbInputs(info: LogInfo, horizon: number, budget: number, maxBid: number): RlbTableInputs {
  if (!info.priceCounter) throw new Error('RLB needs the training price histogram (price_counter_train)');
  return { horizon, budget: Math.floor(budget), maxBid, avgCtr: info.clkTrain / info.impTrain, pdf: marketPdf(info.priceCounter) };
}

/** The RLB bidder. */
export class RlbBidder implements LogBidder {
  readonly kind: string = 'rlb';
  readonly table: RlbValueTable;
  constructor(info: LogInfo, horizon: number, budget: number, maxBid: number, options: RlbOptions = {}) {
    this.table = rlbTable(rlbInputs(info, horizon, budget, maxBid), { cacheDir: options.cacheDir ?? null });
  }
  bid(pctr: number, auctionsLeft: number, budgetLeft: number): number {
    return rlbBid(this.table, auctionsLeft, budgetLeft, pctr);
  }
}
