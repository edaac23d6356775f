/**
 * The ledger (env/exchange/ledger.ts): each payment is split advertiser →
 * exchange fee + publisher payout in integer micros, and the books balance to
 * the micro.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromMicros, Ledger, MICROS, toMicros } from '../../../env/exchange/ledger.js';

describe('Ledger', () => {
  it('splits a payment: the publisher gets floor(share × payment), the exchange the rest', () => {
    const l = new Ledger(2, 3, 0.7);
    expect(l.pay(1, 2, 1_000_001)).toBe(700_000); // floor(700000.7)
    expect(l.spend[1]).toBe(1_000_001);
    expect(l.payout[2]).toBe(700_000);
    expect(l.fees).toBe(300_001);
    expect(l.payments).toBe(1);
    expect(l.spend[0]).toBe(0);
    expect(l.balanced()).toBe(true);
  });

  it('gives everything to the publisher at share 1 and everything to the exchange at share 0', () => {
    const all = new Ledger(1, 1, 1);
    all.pay(0, 0, 12_345);
    expect([all.payout[0], all.fees]).toEqual([12_345, 0]);
    const none = new Ledger(1, 1, 0);
    none.pay(0, 0, 12_345);
    expect([none.payout[0], none.fees]).toEqual([0, 12_345]);
  });

  it('keeps integer micros and balances exactly for any payments and share', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.array(fc.tuple(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 4 }), fc.integer({ min: 0, max: 50 * MICROS })), { maxLength: 200 }),
        (share, pays) => {
          const l = new Ledger(4, 5, share);
          let total = 0;
          for (const [a, p, m] of pays) {
            const toPublisher = l.pay(a, p, m);
            expect(Number.isInteger(toPublisher)).toBe(true);
            expect(toPublisher).toBeLessThanOrEqual(m);
            expect(toPublisher).toBeGreaterThanOrEqual(0);
            total += m;
          }
          expect(l.totalSpend()).toBe(total);
          expect(l.totalPayout() + l.fees).toBe(total);
          expect(Number.isInteger(l.fees)).toBe(true);
          expect(l.balanced()).toBe(true);
          expect(l.payments).toBe(pays.length);
        },
      ),
    );
  });

  it('clears its books, and refuses a share outside [0, 1]', () => {
    const l = new Ledger(1, 1, 0.5);
    l.pay(0, 0, 10);
    l.clear();
    expect([l.totalSpend(), l.totalPayout(), l.fees, l.payments]).toEqual([0, 0, 0, 0]);
    expect(() => new Ledger(1, 1, 1.2)).toThrow(/publisherShare/);
  });
});

describe('micros', () => {
  it('converts currency to integer micros (rounded down, negatives and NaN to 0) and back', () => {
    expect(toMicros(1.5)).toBe(1_500_000);
    expect(toMicros(0.1 + 0.2)).toBe(300_000);
    expect(toMicros(0.0000019)).toBe(1);
    expect(toMicros(-1)).toBe(0);
    expect(toMicros(NaN)).toBe(0);
    expect(fromMicros(2_500_000)).toBe(2.5);
  });
});
