/** Feature encoding, state grids and the multiplier grid (agents/features.ts), checked by hand. */
import { describe, expect, it } from 'vitest';
import { argmax, checkMultipliers, defaultFeatures, defaultGrid, encoderSpec, FeatureEncoder, multiplierGrid, polynomialContext, StateGrid, valueOf } from '../../agents/features.js';
import { InputError } from '../../env/errors.js';
import { observationFrom } from '../../env/observation.js';

describe('encoderSpec and FeatureEncoder', () => {
  it('divides currency features by the value scale, counts by a typical size, and clips', () => {
    const spec = encoderSpec(['value', 'budgetLeft', 'sessionDepth'], 2);
    expect(spec.features.map((f) => [f.name, f.divideBy, f.clipLow, f.clipHigh])).toEqual([
      ['value', 2, 0, 4],
      ['budgetLeft', 1, 0, 1],
      ['sessionDepth', 10, 0, 4],
    ]);
    const enc = new FeatureEncoder(spec);
    const out = new Float64Array(3);
    enc.encode(observationFrom({ value: 1, budgetLeft: 0.25, sessionDepth: 60 }), out);
    expect(Array.from(out)).toEqual([0.5, 0.25, 4]);
    enc.encode(observationFrom({ value: 20 }), out);
    expect(out[0]).toBe(4);
  });

  it('refuses unknown or repeated features with an InputError naming the field', () => {
    expect(() => encoderSpec(['value', 'nope'], 1)).toThrow(InputError);
    expect(() => encoderSpec(['value', 'nope'], 1)).toThrow(/^features: unknown observation feature "nope"/);
    expect(() => encoderSpec(['value', 'value'], 1)).toThrow(/listed twice/);
  });

  it('reads the value alone by default, plus budget and time left when a budget is learnt from the state', () => {
    expect(defaultFeatures({ budget: null }, false)).toEqual(['value']);
    expect(defaultFeatures({ budget: 5 }, true)).toEqual(['value']);
    expect(defaultFeatures({ budget: 5 }, false)).toEqual(['value', 'budgetLeft', 'timeLeft']);
  });
});

describe('StateGrid', () => {
  it('buckets each feature and numbers the states row-major', () => {
    const g = new StateGrid({ buckets: [4, 2], low: [0, 0], high: [2, 1] });
    expect(g.size).toBe(8);
    expect(g.index(Float64Array.of(0, 0))).toBe(0);
    expect(g.index(Float64Array.of(0.6, 0.7))).toBe(1 * 2 + 1);
    expect(g.index(Float64Array.of(5, -1))).toBe(3 * 2 + 0); // outside: the end buckets
  });

  it('gives value-like features valueBuckets over [0, 1.5] and fractions fractionBuckets over [0, 1]', () => {
    expect(defaultGrid(encoderSpec(['value', 'timeLeft'], 1), 8, 5)).toEqual({ buckets: [8, 5], low: [0, 0], high: [1.5, 1] });
    expect(() => new StateGrid({ buckets: [0], low: [0], high: [1] })).toThrow(InputError);
  });
});

describe('multipliers', () => {
  it('builds the default grid 0, 0.1, …, 1.5 and checks explicit lists', () => {
    expect(multiplierGrid(1.5, 16)).toEqual([0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1, 1.1, 1.2, 1.3, 1.4, 1.5]);
    expect(checkMultipliers([0, 0.5, 1])).toEqual([0, 0.5, 1]);
    expect(() => checkMultipliers([0, 1, 1])).toThrow(/^multipliers\[2\]: expected increasing multipliers/);
    expect(() => checkMultipliers([1])).toThrow(InputError);
    expect(() => checkMultipliers([0, -1])).toThrow(/finite number ≥ 0/);
  });
});

describe('helpers', () => {
  it('argmax takes the first of ties within the window; valueOf floors the value at 0', () => {
    expect(argmax([9, 1, 3, 3, 2], 1, 4)).toBe(1);
    expect(valueOf(observationFrom({ value: -1 }))).toBe(0);
    expect(valueOf(observationFrom({ value: 0.7 }))).toBe(0.7);
  });

  it('polynomialContext is [1, x] or [1, x, x²]', () => {
    const out = new Float64Array(5);
    polynomialContext(Float64Array.of(0.5, 2), 2, 2, out);
    expect(Array.from(out)).toEqual([1, 0.5, 2, 0.25, 4]);
    polynomialContext(Float64Array.of(0.5, 2), 2, 1, out.fill(9));
    expect(Array.from(out.subarray(0, 3))).toEqual([1, 0.5, 2]);
  });
});
