import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { regularizedIncompleteBeta, stat, tCdf, tQuantile, welch } from '../../experiments/stats.js';

// Reference values from scipy 1.x (scipy.stats.t / scipy.stats.beta / ttest_ind(equal_var=False))
// and from printed t tables; each is a value this code must reproduce, not one it produced.

describe('regularizedIncompleteBeta', () => {
  it('matches closed forms and scipy.stats.beta.cdf', () => {
    // I_0.5(2, 3) = 11/16 exactly (polynomial case).
    expect(regularizedIncompleteBeta(0.5, 2, 3)).toBeCloseTo(0.6875, 14);
    expect(regularizedIncompleteBeta(0.3, 2.5, 4)).toBeCloseTo(0.3521975859067672, 12);
    // I_x(1/2, 1/2) = (2/π) asin(√x).
    expect(regularizedIncompleteBeta(0.01, 0.5, 0.5)).toBeCloseTo((2 / Math.PI) * Math.asin(0.1), 12);
    expect(regularizedIncompleteBeta(0, 3, 3)).toBe(0);
    expect(regularizedIncompleteBeta(1, 3, 3)).toBe(1);
  });

  it('rejects arguments out of range, naming them', () => {
    expect(() => regularizedIncompleteBeta(1.5, 1, 1)).toThrow(/x must be in \[0, 1\]/);
    expect(() => regularizedIncompleteBeta(0.5, 0, 1)).toThrow(/a and b must be > 0/);
  });
});

describe('Student t distribution', () => {
  it('gives the tabulated two-sided 95% quantiles', () => {
    expect(tQuantile(0.975, 4)).toBeCloseTo(2.7764451051977934, 9);
    expect(tQuantile(0.975, 1)).toBeCloseTo(12.706204736174694, 8);
    expect(tQuantile(0.975, 29)).toBeCloseTo(2.045229642132703, 9);
    expect(tQuantile(0.999, 2)).toBeCloseTo(22.327124770119866, 7);
    expect(tQuantile(0.025, 4)).toBeCloseTo(-2.7764451051977934, 9);
    expect(tQuantile(0.5, 7)).toBe(0);
  });

  it('matches scipy.stats.t.cdf, including fractional df', () => {
    expect(tCdf(1.5, 3.5)).toBeCloseTo(0.8910909064923275, 12);
    expect(tCdf(-3, 1)).toBeCloseTo(0.10241638234956672, 12); // Cauchy: 1/2 + atan(−3)/π
    expect(tCdf(0.5, 100)).toBeCloseTo(0.6909132170845567, 11); // lgamma at large df limits this to ~1e-12
    expect(tCdf(2.5, 7.3)).toBeCloseTo(0.9801748826671998, 12);
    expect(tCdf(0, 5)).toBeCloseTo(0.5, 15);
    expect(tCdf(Infinity, 5)).toBe(1);
  });

  it('quantile inverts the CDF (property)', () => {
    fc.assert(
      fc.property(fc.double({ min: 0.001, max: 0.999, noNaN: true }), fc.double({ min: 0.5, max: 500, noNaN: true }), (p, df) => {
        expect(tCdf(tQuantile(p, df), df)).toBeCloseTo(p, 9);
      }),
      { seed: 5, numRuns: 200 },
    );
  });

  it('rejects bad arguments', () => {
    expect(() => tQuantile(1, 3)).toThrow(/p must be in \(0, 1\)/);
    expect(() => tCdf(1, 0)).toThrow(/df must be > 0/);
  });
});

describe('stat', () => {
  it('gives mean and t-based 95% CI', () => {
    const s = stat([1, 2, 3, 4, 5]);
    expect(s.mean).toBe(3);
    // 3 ± t(0.975, 4) · sd/√5 with sd = √2.5.
    expect(s.ci95[0]).toBeCloseTo(1.0367568385224428, 10);
    expect(s.ci95[1]).toBeCloseTo(4.963243161477557, 10);
    expect(s.values).toEqual([1, 2, 3, 4, 5]);
  });

  it('gives [v, v] for one replication and copies its input', () => {
    const input = [0.25];
    const s = stat(input);
    expect(s).toEqual({ mean: 0.25, ci95: [0.25, 0.25], values: [0.25] });
    input[0] = 9;
    expect(s.values).toEqual([0.25]);
  });

  it('propagates a non-finite replication as NaN rather than dropping it', () => {
    const s = stat([1, NaN, 3]);
    expect(s.mean).toBeNaN();
    expect(s.ci95[0]).toBeNaN();
  });

  it('rejects no values', () => {
    expect(() => stat([])).toThrow(/at least one replication/);
  });

  it('CI contains the mean and narrows as the sample grows (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: -1e3, max: 1e3, noNaN: true }), { minLength: 2, maxLength: 30 }), (xs) => {
        const s = stat(xs);
        expect(s.ci95[0]).toBeLessThanOrEqual(s.mean + 1e-9);
        expect(s.ci95[1]).toBeGreaterThanOrEqual(s.mean - 1e-9);
        const doubled = stat([...xs, ...xs]);
        expect(doubled.ci95[1] - doubled.ci95[0]).toBeLessThanOrEqual(s.ci95[1] - s.ci95[0] + 1e-9);
      }),
      { seed: 11, numRuns: 200 },
    );
  });
});

describe('welch', () => {
  it('has a p-value for tiny and huge spreads, and none for figures too large to square', () => {
    const tiny = welch([1e-150, 2e-150, 3e-150], [4e-150, 5e-150, 7e-150]);
    const unit = welch([1, 2, 3], [4, 5, 7]);
    expect(tiny.df).toBeCloseTo(unit.df, 9);
    expect(tiny.p).toBeCloseTo(unit.p, 9);
    expect(Number.isNaN(welch([Number.MAX_VALUE, 1], [2, 3]).p)).toBe(true);
  });

  it('matches a hand-computed small example', () => {
    // means 2.5 and 5; variances 5/3 and 20/3; se² = 5/12 + 5/3 = 25/12; t = −2.5/√(25/12) = −√3.
    // df = (25/12)² / ((5/12)²/3 + (5/3)²/3) = 75/17.
    const r = welch([1, 2, 3, 4], [2, 4, 6, 8]);
    expect(r.t).toBeCloseTo(-Math.sqrt(3), 12);
    expect(r.df).toBeCloseTo(75 / 17, 12);
    expect(r.p).toBeCloseTo(0.15158050484530375, 10);
  });

  it("matches Wikipedia's Welch example 1 (t = −2.46, df = 24.99, p = 0.021)", () => {
    const a1 = [27.5, 21.0, 19.0, 23.6, 17.0, 17.9, 16.9, 20.1, 21.9, 22.6, 23.1, 19.6, 19.0, 21.7, 21.4];
    const a2 = [27.1, 22.0, 20.8, 23.4, 23.4, 23.5, 25.8, 22.0, 24.8, 20.2, 21.9, 22.1, 22.9, 20.5, 24.4];
    const r = welch(a1, a2);
    expect(r.t).toBeCloseTo(-2.455356398286006, 10);
    expect(r.df).toBeCloseTo(24.988529290231416, 9);
    expect(r.p).toBeCloseTo(0.021378001462866992, 10);
  });

  it('is symmetric in its arguments up to the sign of t', () => {
    const a = [0.1, 0.4, 0.35, 0.2];
    const b = [0.5, 0.45, 0.6];
    const ab = welch(a, b);
    const ba = welch(b, a);
    expect(ba.t).toBeCloseTo(-ab.t, 12);
    expect(ba.p).toBeCloseTo(ab.p, 12);
  });

  it('handles degenerate samples', () => {
    expect(welch([1], [1, 2]).p).toBeNaN();
    expect(welch([1, 1], [1, 1])).toEqual({ t: 0, df: 2, p: 1 });
    expect(welch([2, 2], [1, 1])).toEqual({ t: Infinity, df: 2, p: 0 });
  });
});

describe('mean and standard deviation without mathjs', () => {
  it('give the numbers mathjs gave, to the bit (stat and welch as they were computed before)', async () => {
    const { mean, std } = await import('mathjs/number');
    const fc = await import('fast-check');
    fc.assert(
      // Values with a few decimals (as figures have); subnormal variances would break tCdf itself.
      fc.property(fc.array(fc.integer({ min: -1e9, max: 1e9 }).map((i) => i / 997), { minLength: 1, maxLength: 12 }), fc.array(fc.integer({ min: -1e6, max: 1e6 }).map((i) => i / 13), { minLength: 2, maxLength: 6 }), (xs, ys) => {
        const s = stat(xs);
        const m = mean(xs) as number;
        expect(Object.is(s.mean, m)).toBe(true);
        if (xs.length > 1) {
          const half = tQuantile(0.975, xs.length - 1) * ((std(xs, 'unbiased') as number) / Math.sqrt(xs.length));
          expect(s.ci95).toEqual([m - half, m + half]);
        }
        if (xs.length > 1) {
          const w = welch(xs, ys);
          const va = (std(xs, 'unbiased') as number) ** 2 / xs.length;
          const vb = (std(ys, 'unbiased') as number) ** 2 / ys.length;
          if (va + vb > 0) expect(w.t).toBe(((mean(xs) as number) - (mean(ys) as number)) / Math.sqrt(va + vb));
        }
      }),
      { numRuns: 500 },
    );
  });
});
