/**
 * Builds a bid log auction by auction (the columns of {@link LogColumns}, grown
 * by doubling): what `bidgym log` uses to write the auctions a bidder faced in a
 * synthetic market.
 */
import { LogColumns, type BidLog } from './format.js';

/** Appends auctions; {@link toLog} returns them as a {@link BidLog}. */
export class LogRecorder {
  private readonly cols = new LogColumns(1024, { conversion: true, value: true, timestamp: true });

  /** Number of auctions recorded. */
  get length(): number {
    return this.cols.length;
  }

  /** Records one auction: price to beat, predicted CTR, click and conversion (had the ad been shown), value, time. */
  add(price: number, pctr: number, click: number, conversion: number, value: number, timestamp: number): void {
    const c = this.cols;
    c.reserve();
    const i = c.length++;
    c.price[i] = price;
    c.pctr[i] = pctr;
    c.click[i] = click;
    c.conversion![i] = conversion;
    c.value![i] = value;
    c.timestamp![i] = timestamp;
  }

  /** The recorded auctions (copies). */
  toLog(source: string): BidLog {
    return this.cols.finish(source);
  }
}
