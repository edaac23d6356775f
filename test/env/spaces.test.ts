/** Spaces (env/spaces.ts): what `contains` accepts, and that `sample` draws members from the stream it is given. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { rng } from '../../env/rng.js';
import { box, dict, discrete } from '../../env/spaces.js';

describe('Box', () => {
  const b = box({ low: [0, -1], high: [1, 1], names: ['a', 'b'] });

  it('contains vectors of the right length inside the bounds, bounds included', () => {
    expect(b.contains(Float64Array.of(0, -1))).toBe(true);
    expect(b.contains([1, 1])).toBe(true);
    expect(b.contains(Float64Array.of(0.5, 0))).toBe(true);
  });

  it('rejects vectors outside the bounds, of the wrong length, NaN, and non-vectors', () => {
    expect(b.contains(Float64Array.of(1.0000001, 0))).toBe(false);
    expect(b.contains(Float64Array.of(0, -1.5))).toBe(false);
    expect(b.contains(Float64Array.of(0.5))).toBe(false);
    expect(b.contains(Float64Array.of(NaN, 0))).toBe(false);
    expect(b.contains(['0.5', 0])).toBe(false);
    expect(b.contains(0.5)).toBe(false);
    expect(b.contains(null)).toBe(false);
  });

  it('samples members, the same ones from the same stream, for any bounds (unbounded dimensions too)', () => {
    fc.assert(
      fc.property(fc.double({ min: -10, max: 10, noNaN: true }), fc.double({ min: 0, max: 5, noNaN: true }), fc.integer({ min: 0, max: 1e6 }), (lo, width, seed) => {
        const s = box({ low: [lo, 0, -Infinity, -Infinity], high: [lo + width, Infinity, 3, Infinity] });
        const x = s.sample(rng(seed));
        expect(s.contains(x)).toBe(true);
        expect(Array.from(s.sample(rng(seed)))).toEqual(Array.from(x));
      }),
    );
  });

  it('samples a degenerate dimension at its only value, and refuses low > high', () => {
    expect(box({ low: [2], high: [2] }).sample(rng(1))[0]).toBe(2);
    expect(() => box({ low: [1], high: [0] })).toThrow(/low\[0\]=1 > high\[0\]=0/);
    expect(() => box({ low: [0, 0], high: [1] })).toThrow(/low has 2 dims, high 1/);
  });

  it('names its dimensions (x0, x1, … by default)', () => {
    expect(b.names).toEqual(['a', 'b']);
    expect(box({ low: [0, 0], high: [1, 1] }).names).toEqual(['x0', 'x1']);
    expect(b.shape).toEqual([2]);
  });
});

describe('Discrete', () => {
  const d = discrete(3);
  it('contains exactly the integers 0 … n-1', () => {
    expect([0, 1, 2].every((x) => d.contains(x))).toBe(true);
    for (const x of [-1, 3, 1.5, NaN, '1', null]) expect(d.contains(x)).toBe(false);
  });
  it('samples every member, with roughly equal frequencies', () => {
    const r = rng(2);
    const counts = [0, 0, 0];
    for (let i = 0; i < 3000; i++) counts[d.sample(r)]!++;
    for (const c of counts) expect(c).toBeGreaterThan(900);
    expect(() => discrete(0)).toThrow(/positive integer/);
  });
});

describe('Dict', () => {
  const s = dict<{ bid: Float64Array; slot: number }>({ bid: box({ low: [0], high: [1] }), slot: discrete(2) });
  it('contains records with exactly its keys, each a member of its sub-space', () => {
    expect(s.contains({ bid: Float64Array.of(0.5), slot: 1 })).toBe(true);
    expect(s.contains({ bid: Float64Array.of(1.5), slot: 1 })).toBe(false);
    expect(s.contains({ bid: Float64Array.of(0.5) })).toBe(false);
    expect(s.contains({ bid: Float64Array.of(0.5), slot: 1, extra: 0 })).toBe(false);
    expect(s.contains(null)).toBe(false);
  });
  it('samples members, in an order that does not depend on how the keys were listed', () => {
    const x = s.sample(rng(4));
    expect(s.contains(x)).toBe(true);
    const swapped = dict<{ bid: Float64Array; slot: number }>({ slot: discrete(2), bid: box({ low: [0], high: [1] }) });
    const y = swapped.sample(rng(4));
    expect(y.slot).toBe(x.slot);
    expect(Array.from(y.bid)).toEqual(Array.from(x.bid));
  });
});
