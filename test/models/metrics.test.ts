import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { auc, ece, logLoss, quality } from '../../models/metrics.js';

describe('auc', () => {
  it('is the share of (click, no-click) pairs ranked right: hand-computed examples', () => {
    // clicked {0.35, 0.8} vs not {0.1, 0.4}: 0.35>0.1, 0.35<0.4, 0.8>0.1, 0.8>0.4 → 3/4
    expect(auc([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1])).toBeCloseTo(0.75, 12);
    // a tie between a click and a no-click counts one half: (1 + 0.5 + 1 + 1) / 4
    expect(auc([0.2, 0.5, 0.5, 0.9], [0, 0, 1, 1])).toBeCloseTo(0.875, 12);
    expect(auc([0.5, 0.5, 0.5], [0, 1, 1])).toBeCloseTo(0.5, 12);
    expect(auc([0.9, 0.8, 0.1], [0, 0, 1])).toBe(0);
  });

  it('is NaN with one class only, and can be restricted to rows', () => {
    expect(auc([0.1, 0.2], [1, 1])).toBeNaN();
    expect(auc([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1], [0, 3])).toBe(1);
  });

  it('equals the pairwise count on random data (ties included)', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 5 }), fc.boolean()), { minLength: 2, maxLength: 40 }), (rows) => {
        const p = rows.map(([s]) => s / 5);
        const y = rows.map(([, c]) => (c ? 1 : 0));
        let num = 0;
        let den = 0;
        for (let i = 0; i < p.length; i++) {
          for (let j = 0; j < p.length; j++) {
            if (y[i] === 1 && y[j] === 0) {
              den++;
              num += p[i]! > p[j]! ? 1 : p[i] === p[j] ? 0.5 : 0;
            }
          }
        }
        const got = auc(p, y);
        if (den === 0) expect(got).toBeNaN();
        else expect(got).toBeCloseTo(num / den, 10);
      }),
    );
  });
});

describe('logLoss', () => {
  it('is the mean negative log-likelihood: hand-computed', () => {
    // −(ln 0.8 + ln 0.7) / 2
    expect(logLoss([0.8, 0.3], [1, 0])).toBeCloseTo((0.2231435513 + 0.3566749439) / 2, 9);
    // predictions of 0 and 1 are clipped, not infinite
    expect(Number.isFinite(logLoss([0, 1], [1, 0]))).toBe(true);
  });
});

describe('ece', () => {
  it('averages |mean prediction − click rate| over equal-mass bins: hand-computed', () => {
    // bins {0.1, 0.2}: mean 0.15, rate 0; {0.3, 0.9}: mean 0.6, rate 1 → ½·0.15 + ½·0.4
    expect(ece([0.3, 0.1, 0.9, 0.2], [1, 0, 1, 0], undefined, 2)).toBeCloseTo(0.275, 12);
    // one bin: |mean p − rate|
    expect(ece([0.3, 0.1, 0.9, 0.2], [1, 0, 1, 0], undefined, 1)).toBeCloseTo(0.125, 12);
    // perfectly calibrated bins
    expect(ece([0.5, 0.5, 0, 0], [1, 0, 0, 0], undefined, 2)).toBeCloseTo(0, 12);
  });

  it('rejects a bad bin count, naming it', () => {
    expect(() => ece([0.1], [0], undefined, 0)).toThrow(/bins/);
  });
});

describe('quality', () => {
  it('bundles the metrics with counts', () => {
    const q = quality([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1]);
    expect(q.auc).toBeCloseTo(0.75, 12);
    expect(q.impressions).toBe(4);
    expect(q.clicks).toBe(2);
    expect(q.meanPrediction).toBeCloseTo(0.4125, 12);
    expect(q.clickRate).toBe(0.5);
  });
});
