import seedrandom from 'seedrandom';
import { describe, expect, it } from 'vitest';
import { Rng, rng } from '../../env/rng.js';

// env/rng.ts wraps seedrandom's Alea: every draw of a stream (and of the draws
// derived from it) must be seedrandom's own, to the bit, or every result of
// every config would move.
describe('Rng draws exactly what seedrandom.alea draws', () => {
  const keys = ['1', '0', '42/replication:0/users', 'evaluation:3/exchange', 'x'.repeat(300), 'ünïcode/流'];
  it('next(), over long streams', () => {
    for (const key of keys) {
      const mine = new Rng(key);
      const ref = seedrandom.alea(key);
      for (let i = 0; i < 20000; i++) expect(mine.next()).toBe(ref());
    }
  });
  it('double(), uint32() and the derived draws, interleaved', () => {
    for (const key of keys) {
      const mine = new Rng(key);
      const ref = seedrandom.alea(key);
      for (let i = 0; i < 2000; i++) {
        expect(mine.double()).toBe(ref.double());
        expect(mine.uint32()).toBe(ref.int32() >>> 0);
        expect(mine.int(7)).toBe(Math.floor(ref() * 7));
        expect(mine.uniform(-2, 3)).toBe(-2 + 5 * ref());
        expect(mine.bernoulli(0.3)).toBe(ref() < 0.3);
      }
    }
  });
  it('children are keyed by their path, whatever the order they are made in', () => {
    const a = rng(7).stream('users').next();
    rng(7).stream('exchange').next();
    expect(rng(7).stream('users').next()).toBe(a);
    expect(a).toBe(seedrandom.alea('7/users')());
  });
});
