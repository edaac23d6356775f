import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkStepMarketSpec, runStepEpisode, type StepMarketSpec, type StepView } from '../../../env/autobid/market.js';
import { InputError } from '../../../env/errors.js';
import { rng } from '../../../env/rng.js';
import { Abid } from '../../../agents/autobid/abid.js';
import { FixedAlpha, FixedValues, smallMarket } from './fixture.js';

function spec(advertisers: number, over: Partial<StepMarketSpec> = {}): StepMarketSpec {
  return {
    steps: 1,
    slots: 3,
    exposure: [1, 1, 1],
    reserve: 0.01,
    beta: 2,
    advertisers: Array.from({ length: advertisers }, (_, i) => ({ id: `a${i}`, budget: 1000, cpa: 10, category: 0 })),
    ...over,
  };
}

describe('step market: one opportunity by hand', () => {
  it('GSP over α × pValue with the 4th bid as least winning cost', () => {
    // Bids: 10×0.05 = 0.5, 20×0.01 = 0.2, 5×0.08 = 0.4, 1×0.1 = 0.1, 2×0.02 = 0.04
    const pv = [[[0.05]], [[0.01]], [[0.08]], [[0.1]], [[0.02]]];
    const values = new FixedValues([pv.map((a) => a[0]!)]);
    const bidders = [10, 20, 5, 1, 2].map((a) => new FixedAlpha(a));
    let view: StepView | null = null;
    const res = runStepEpisode(spec(5), values, bidders, rng(1), (v) => {
      view = { ...v, slot: v.slot.slice(), cost: v.cost.slice(), leastWinningCost: v.leastWinningCost.slice() };
    });
    expect(Array.from(view!.slot)).toEqual([1, 3, 2, 0, 0]);
    expect(Array.from(view!.cost).map((c) => +c.toFixed(6))).toEqual([0.4, 0.1, 0.2, 0, 0]);
    expect(view!.leastWinningCost[0]).toBeCloseTo(0.1, 6); // pValues are float32
    expect(res.map((r) => r.cost)).toEqual(Array.from(view!.cost));
  });

  it('no cost and no conversion without exposure; unexposed lower slots follow an unexposed slot above', () => {
    const values = new FixedValues([[Array(2000).fill(1), Array(2000).fill(1), Array(2000).fill(1), Array(2000).fill(0.5)]]);
    let exposedBySlot = [0, 0, 0];
    let broken = 0;
    const s4 = spec(4, { exposure: [1, 0.8, 0.6] });
    s4.advertisers.forEach((a) => (a.budget = 1e6));
    runStepEpisode(s4, values, [4, 3, 2, 1].map((a) => new FixedAlpha(a)), rng(3), (v) => {
      for (let j = 0; j < v.n; j++) {
        const shown = [0, 0, 0];
        for (let i = 0; i < 4; i++) {
          const at = i * v.n + j;
          if (v.slot[at]! > 0 && v.exposed[at]) shown[v.slot[at]! - 1] = 1;
          if (!v.exposed[at]) {
            expect(v.cost[at]).toBe(0);
            expect(v.conversion[at]).toBe(0);
          }
        }
        shown.forEach((s, k) => (exposedBySlot[k]! += s));
        if ((shown[2] && !shown[1]) || (shown[1] && !shown[0])) broken++;
      }
    });
    expect(broken).toBe(0);
    exposedBySlot = exposedBySlot.map((x) => x / 2000);
    expect(exposedBySlot[0]).toBe(1);
    expect(Math.abs(exposedBySlot[1]! - 0.8)).toBeLessThan(0.04);
    expect(Math.abs(exposedBySlot[2]! - 0.6)).toBeLessThan(0.04);
  });
});

describe('step market properties', () => {
  it('budgets never exceeded, costs only when exposed and never above the bid', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 6 }),
        fc.array(fc.double({ min: 0, max: 200, noNaN: true }), { minLength: 6, maxLength: 6 }),
        fc.array(fc.double({ min: 0.5, max: 50, noNaN: true }), { minLength: 6, maxLength: 6 }),
        fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 3, maxLength: 3 }),
        fc.integer({ min: 0, max: 1000 }),
        (A, alphas, budgets, expo, seed) => {
          const exposure = [...expo].sort((a, b) => b - a);
          const { spec: base, source } = smallMarket({ budget: 1, cpa: 10, rivals: A - 1, opportunities: 600, steps: 6 });
          const s: StepMarketSpec = { ...base, exposure, advertisers: base.advertisers.map((a, i) => ({ ...a, budget: budgets[i]! })) };
          const spent = new Float64Array(A);
          const res = runStepEpisode(s, source, alphas.slice(0, A).map((a) => new FixedAlpha(a)), rng(seed), (v) => {
            for (let i = 0; i < A; i++) {
              for (let j = 0; j < v.n; j++) {
                const at = i * v.n + j;
                if (!v.exposed[at]) expect(v.cost[at]).toBe(0);
                expect(v.cost[at]).toBeLessThanOrEqual(v.bid[at]! + 1e-12);
                if (v.slot[at]) expect(v.bid[at]).toBeGreaterThanOrEqual(s.reserve);
                spent[i]! += v.cost[at]!;
              }
            }
          });
          res.forEach((r, i) => {
            expect(r.cost).toBeLessThanOrEqual(budgets[i]! * (1 + 1e-12));
            expect(spent[i]).toBeCloseTo(r.cost, 9);
            expect(r.conversions).toBeLessThanOrEqual(r.exposures);
          });
        },
      ),
      { numRuns: 40 },
    );
  });

  it('same seed → same results; other agents face the same opportunities', () => {
    const { spec: s, source } = smallMarket({ budget: 500, cpa: 80, opportunities: 5000 });
    const make = () => s.advertisers.map(() => new Abid());
    const a = runStepEpisode(s, source, make(), rng(9));
    const b = runStepEpisode(s, source, make(), rng(9));
    expect(b).toEqual(a);
    const seen: number[][] = [];
    for (const f of [1, 0.5]) {
      const pv: number[] = [];
      const bidders = make();
      bidders[0] = new Abid({ kind: 'abid', factor: f });
      runStepEpisode(s, source, bidders, rng(9), (v) => {
        if (v.t === 3) pv.push(...Array.from(v.pValue.subarray(0, 20)));
      });
      seen.push(pv);
    }
    expect(seen[1]).toEqual(seen[0]);
  });

  it('bad specs are InputErrors naming the field', () => {
    expect(() => checkStepMarketSpec(spec(2, { exposure: [1, 0.9] }))).toThrow(/exchange.exposure: expected 3/);
    expect(() => checkStepMarketSpec(spec(2, { exposure: [1, 0.5, 0.8] }))).toThrow(InputError);
    expect(() => checkStepMarketSpec({ ...spec(2), advertisers: [{ id: 'x', budget: 1, cpa: 0, category: 0 }] })).toThrow(/bidders\[0\].cpa/);
  });
});
