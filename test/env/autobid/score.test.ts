import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cpaPenalty, cpaScore, realisedCpa, scoreDelta } from '../../../env/autobid/score.js';

const pos = fc.double({ min: 1e-3, max: 1e4, noNaN: true });
const count = fc.integer({ min: 0, max: 10_000 });

describe('AuctionNet score', () => {
  it('equals the conversions when the CPA is at or below the target', () => {
    fc.assert(
      fc.property(count, pos, fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 5, noNaN: true }), (conv, target, share, beta) => {
        const cost = conv * target * share; // CPA = share × target ≤ target (up to rounding: skip the draws where it rounds above)
        fc.pre(conv === 0 || cost / conv <= target);
        const s = cpaScore({ conversions: conv, cost, target, beta });
        expect(s.penalty).toBe(1);
        expect(s.score).toBe(conv);
      }),
    );
  });

  it('is conversions × (target / CPA)^β above the target', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10_000 }), pos, fc.double({ min: 1.0001, max: 100, noNaN: true }), fc.double({ min: 0, max: 5, noNaN: true }), (conv, target, over, beta) => {
        const cost = conv * target * over;
        const s = cpaScore({ conversions: conv, cost, target, beta });
        const cpa = cost / conv;
        expect(s.cpa).toBeCloseTo(cpa, 9);
        expect(s.penalty).toBeCloseTo(Math.pow(target / cpa, beta), 12);
        expect(s.score).toBeCloseTo(conv * Math.pow(target / cpa, beta), 9);
        if (beta >= 0.01) expect(s.score).toBeLessThan(conv);
      }),
    );
  });

  it('defaults to β = 2 and handles no conversions', () => {
    expect(cpaScore({ conversions: 10, cost: 2000, target: 100 }).score).toBeCloseTo(10 * 0.25, 12);
    expect(realisedCpa(0, 0)).toBe(0);
    expect(realisedCpa(5, 0)).toBe(Infinity);
    expect(cpaScore({ conversions: 0, cost: 5, target: 1 })).toEqual({ cpa: Infinity, penalty: 0, score: 0 });
    expect(() => cpaPenalty(1, 0)).toThrow(RangeError);
  });

  it('score-shaped step rewards telescope to the episode score', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 20 }), fc.double({ min: 0, max: 500, noNaN: true })), { minLength: 1, maxLength: 48 }), pos, (steps, target) => {
        let before = { conversions: 0, cost: 0 };
        let sum = 0;
        for (const [c, k] of steps) {
          const after = { conversions: before.conversions + c, cost: before.cost + k };
          sum += scoreDelta(before, after, target);
          before = after;
        }
        expect(sum).toBeCloseTo(cpaScore({ ...before, target }).score, 6);
      }),
    );
  });
});
