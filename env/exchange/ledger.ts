/**
 * The exchange's books, in integer micros: every payment an advertiser makes is
 * split exactly into the publisher's payout and the exchange's fee, so
 * "nothing lost" is an exact equality (see {@link Ledger.balanced}).
 */

/** Micros per currency unit. */
export const MICROS = 1_000_000;

/** Currency units → integer micros (rounded down; negative or NaN → 0). */
export function toMicros(x: number): number {
  return x > 0 ? Math.floor(x * MICROS + 1e-7) : 0;
}

/** Integer micros → currency units. */
export function fromMicros(m: number): number {
  return m / MICROS;
}

/** Spend per advertiser, payouts per publisher and the exchange's fees. */
export class Ledger {
  /** Total paid by each advertiser, micros. */
  readonly spend: Float64Array;
  /** Total paid out to each publisher, micros. */
  readonly payout: Float64Array;
  /** Exchange fees, micros. */
  fees = 0;
  /** Number of payments recorded. */
  payments = 0;

  /**
   * @param advertisers number of advertisers (bidders)
   * @param publishers number of publishers (content creators)
   * @param publisherShare share of each payment paid out to the publisher, in [0, 1]
   */
  constructor(advertisers: number, publishers: number, readonly publisherShare: number) {
    if (!(publisherShare >= 0 && publisherShare <= 1)) throw new Error(`publisherShare: expected a number in [0, 1], got ${publisherShare}`);
    this.spend = new Float64Array(advertisers);
    this.payout = new Float64Array(publishers);
  }

  /**
   * Records a payment of `micros` (a non-negative integer) from `advertiser` for an
   * impression on `publisher`'s page. @returns the publisher's part, micros
   */
  pay(advertiser: number, publisher: number, micros: number): number {
    const toPublisher = Math.floor(micros * this.publisherShare);
    this.spend[advertiser]! += micros;
    this.payout[publisher]! += toPublisher;
    this.fees += micros - toPublisher;
    this.payments++;
    return toPublisher;
  }

  /** Sum of all advertisers' spend, micros. */
  totalSpend(): number {
    let s = 0;
    for (const x of this.spend) s += x;
    return s;
  }

  /** Sum of all publishers' payouts, micros. */
  totalPayout(): number {
    let s = 0;
    for (const x of this.payout) s += x;
    return s;
  }

  /** True when spend = payouts + fees to the micro. */
  balanced(): boolean {
    return this.totalSpend() === this.totalPayout() + this.fees;
  }

  /** Zeroes the books. */
  clear(): void {
    this.spend.fill(0);
    this.payout.fill(0);
    this.fees = 0;
    this.payments = 0;
  }
}
