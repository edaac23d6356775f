/**
 * ROI targets (`roi` beside `cpa`): ROI = value / cost with value =
 * conversions × conversionValue; the score is conversions × the CPA penalty ×
 * the ROI penalty, 1 when ROI ≥ target and (ROI / target)^β otherwise.
 * Property tests of the score, the binding CPA the agents are told, the config
 * checks, and an outcome: PID steering to the binding CPA ends within ±10% of
 * an ROI target that is tighter than its CPA target, every replication.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PidCpa } from '../../../agents/autobid/pid.js';
import { Abid } from '../../../agents/autobid/abid.js';
import { contextOf, runStepEpisode } from '../../../env/autobid/market.js';
import { bindingCpa, cpaPenalty, cpaScore, roiPenalty, targetScore } from '../../../env/autobid/score.js';
import { InputError } from '../../../env/errors.js';
import { rng } from '../../../env/rng.js';
import { resolveAutoBidConfig } from '../../../experiments/autobid-config.js';
import { smallMarket } from './fixture.js';

const pos = fc.double({ min: 1e-2, max: 1e4, noNaN: true });
const count = fc.integer({ min: 1, max: 10_000 });
const beta = fc.double({ min: 0, max: 5, noNaN: true });

describe('ROI target', () => {
  it('score: without roi it is the CPA score; with roi the ROI penalty is 1 when met and (ROI/target)^β — the CPA penalty at conversionValue/roi — otherwise', () => {
    fc.assert(
      fc.property(count, pos, pos, pos, pos, beta, (conv, cost, cpa, roi, v, b) => {
        expect(targetScore({ conversions: conv, cost, beta: b }, { cpa })).toMatchObject(cpaScore({ conversions: conv, cost, target: cpa, beta: b }));
        const s = targetScore({ conversions: conv, cost, beta: b }, { cpa, roi, conversionValue: v });
        const realised = (conv * v) / cost;
        expect(s.roi).toBeCloseTo(realised, 9);
        if (realised >= roi) expect(s.roiPenalty).toBe(1);
        else {
          expect(s.roiPenalty!).toBeCloseTo(Math.pow(realised / roi, b), 9);
          expect(s.roiPenalty!).toBeCloseTo(cpaPenalty(cost / conv, v / roi, b), 9);
        }
        expect(s.score).toBeCloseTo(conv * s.cpaPenalty * s.roiPenalty!, 6);
        expect(s.score).toBeLessThanOrEqual(conv + 1e-9);
      }),
    );
    // Nothing spent: no constraint broken.
    expect(targetScore({ conversions: 0, cost: 0 }, { cpa: 10, roi: 2, conversionValue: 5 }).penalty).toBe(1);
    expect(roiPenalty(1, 2, 2)).toBe(0.25);
  });

  it('agents are told the binding CPA, min(cpa, conversionValue / roi)', () => {
    expect(bindingCpa({ cpa: 60, roi: 2, conversionValue: 90 })).toBe(45);
    expect(bindingCpa({ cpa: 60, roi: 1, conversionValue: 90 })).toBe(60);
    expect(contextOf({ id: 'a', budget: 1, cpa: 60, category: 0, roi: 2, conversionValue: 90 }, 48)).toEqual({ budget: 1, cpa: 45, steps: 48, targets: { cpa: 60, roi: 2, conversionValue: 90 } });
    expect(contextOf({ id: 'a', budget: 1, cpa: 60, category: 0 }, 48)).toEqual({ budget: 1, cpa: 60, steps: 48 });
  });

  it('config: roi needs conversionValue and both must be positive (InputError naming the field)', () => {
    const cfg = (b: object) => ({ name: 'x', steps: 4, auctionsPerEpisode: 40, bidders: [{ id: 'a', agent: { kind: 'pid' }, budget: 10, cpa: 5, ...b }] });
    const bad = (b: object, re: RegExp) => {
      expect(() => resolveAutoBidConfig(cfg(b))).toThrow(InputError);
      expect(() => resolveAutoBidConfig(cfg(b))).toThrow(re);
    };
    bad({ roi: 2 }, /^bidders\[0\]\.conversionValue: required with roi/);
    bad({ conversionValue: 2 }, /^bidders\[0\]\.conversionValue: only used with roi/);
    bad({ roi: -1, conversionValue: 2 }, /^bidders\[0\]\.roi/);
    bad({ roi: 2, conversionValue: 0 }, /^bidders\[0\]\.conversionValue/);
    expect(resolveAutoBidConfig(cfg({ roi: 2, conversionValue: 9 })).bidders[0]).toMatchObject({ roi: 2, conversionValue: 9 });
    expect(resolveAutoBidConfig(cfg({})).bidders[0]).not.toHaveProperty('roi');
  });

  it('PID with an ROI target tighter than its CPA target ends within ±10% of the ROI target (ample budget, every replication)', () => {
    for (const seed of [0, 1, 2]) {
      const { spec, source } = smallMarket({ budget: 200_000, cpa: 60, opportunities: 300_000 });
      spec.advertisers[0] = { ...spec.advertisers[0]!, roi: 2, conversionValue: 90 }; // binding CPA 45
      const bidders = spec.advertisers.map((_, i) => (i === 0 ? new PidCpa() : new Abid()));
      const r = runStepEpisode(spec, source, bidders, rng(seed))[0]!;
      console.log(`pid roi seed ${seed}: ROI ${r.roi!.toFixed(3)} (target 2), CPA ${r.cpa.toFixed(1)} (target 60), score ${r.score.toFixed(1)}`);
      expect(Math.abs(r.roi! / 2 - 1)).toBeLessThanOrEqual(0.1);
      expect(r.cpa).toBeLessThan(60);
      expect(r.score).toBeCloseTo(r.conversions * (r.roi! >= 2 ? 1 : (r.roi! / 2) ** 2), 9);
    }
  });
});
