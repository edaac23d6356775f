/**
 * Lin-Bid (Perlich et al., 2012; a baseline of Cai et al., 2017): a bid
 * linear in the predicted CTR relative to the average,
 *
 *   a = min(floor(pctr × b0 / avgCTR), maxBid, budget left),   avgCTR = clk_train / imp_train.
 *
 * The base bid b0 is given, or tuned on a training log ({@link tuneLinBid}):
 * the b0 that wins the most clicks when that log is replayed under the same
 * protocol (fewer spent on a tie, then the smaller b0), searched coarse to fine.
 */
import type { BidLog, LogInfo } from '../../env/log/format.js';
import { replay, type LogBidder, type ReplayProtocol } from '../../env/log/replay.js';

/** The Lin-Bid bidder. */
export class LinBidBidder implements LogBidder {
  readonly kind = 'lin-bid';
  readonly avgCtr: number;
  constructor(readonly b0: number, info: LogInfo, readonly maxBid: number) {
    this.avgCtr = info.clkTrain / info.impTrain;
  }
  bid(pctr: number, _auctionsLeft: number, budgetLeft: number): number {
    return Math.min(Math.floor((pctr * this.b0) / this.avgCtr), this.maxBid, budgetLeft);
  }
}

/** Result of {@link tuneLinBid}. */
export interface LinBidTuning {
  b0: number;
  clicks: number;
  cost: number;
  /** Every b0 tried with its clicks on the training log. */
  tried: { b0: number; clicks: number; cost: number }[];
}

/**
 * Tunes b0 on a training log: every b0 of `grid` is replayed; the most clicks
 * win, then the lower cost, then the smaller b0. Without a grid, coarse to
 * fine: b0 = 5, 10, … 2·maxBid, then every integer within 5 of the best.
 */
export function tuneLinBid(train: BidLog, info: LogInfo, protocol: ReplayProtocol, grid?: readonly number[]): LinBidTuning {
  const tried: { b0: number; clicks: number; cost: number }[] = [];
  const seen = new Set<number>();
  const better = (t: (typeof tried)[number], best: (typeof tried)[number]) => t.clicks > best.clicks || (t.clicks === best.clicks && (t.cost < best.cost || (t.cost === best.cost && t.b0 < best.b0)));
  const tryAll = (values: readonly number[]) => {
    for (const b0 of values) {
      if (seen.has(b0)) continue;
      seen.add(b0);
      const r = replay(train, new LinBidBidder(b0, info, protocol.maxBid), protocol);
      tried.push({ b0, clicks: r.clicks, cost: r.cost });
    }
    let best = tried[0]!;
    for (const t of tried) if (better(t, best)) best = t;
    return best;
  };
  let best: (typeof tried)[number];
  if (grid) best = tryAll(grid);
  else {
    const top = 2 * Math.max(1, protocol.maxBid);
    const coarse = tryAll(Array.from({ length: Math.floor(top / 5) }, (_, i) => 5 * (i + 1)));
    best = tryAll(Array.from({ length: 11 }, (_, i) => coarse.b0 - 5 + i).filter((b) => b >= 1));
  }
  return { b0: best.b0, clicks: best.clicks, cost: best.cost, tried };
}
