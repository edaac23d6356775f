/**
 * Builds a bid log auction by auction (typed arrays that grow by doubling):
 * what `bidgym log` uses to write the auctions a bidder faced in a synthetic
 * market.
 */
import type { BidLog } from './format.js';

/** Appends auctions; {@link toLog} returns them as a {@link BidLog}. */
export class LogRecorder {
  private n = 0;
  private price = new Float64Array(1024);
  private pctr = new Float64Array(1024);
  private click = new Uint8Array(1024);
  private conversion = new Uint8Array(1024);
  private value = new Float64Array(1024);
  private timestamp = new Float64Array(1024);

  /** Number of auctions recorded. */
  get length(): number {
    return this.n;
  }

  /** Records one auction: price to beat, predicted CTR, click and conversion (had the ad been shown), value, time. */
  add(price: number, pctr: number, click: number, conversion: number, value: number, timestamp: number): void {
    if (this.n === this.price.length) this.grow();
    const i = this.n++;
    this.price[i] = price;
    this.pctr[i] = pctr;
    this.click[i] = click;
    this.conversion[i] = conversion;
    this.value[i] = value;
    this.timestamp[i] = timestamp;
  }

  private grow(): void {
    const c = this.price.length * 2;
    const g = <T extends Float64Array | Uint8Array>(a: T, make: (n: number) => T): T => {
      const b = make(c);
      b.set(a);
      return b;
    };
    this.price = g(this.price, (k) => new Float64Array(k));
    this.pctr = g(this.pctr, (k) => new Float64Array(k));
    this.click = g(this.click, (k) => new Uint8Array(k));
    this.conversion = g(this.conversion, (k) => new Uint8Array(k));
    this.value = g(this.value, (k) => new Float64Array(k));
    this.timestamp = g(this.timestamp, (k) => new Float64Array(k));
  }

  /** The recorded auctions (copies). */
  toLog(source: string): BidLog {
    const n = this.n;
    return {
      source,
      length: n,
      price: this.price.slice(0, n),
      pctr: this.pctr.slice(0, n),
      click: this.click.slice(0, n),
      conversion: this.conversion.slice(0, n),
      value: this.value.slice(0, n),
      timestamp: this.timestamp.slice(0, n),
    };
  }
}
