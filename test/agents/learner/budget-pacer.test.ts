/** The price of money of the learners with a budget (agents/learner/budget-pacer.ts), hand-computed. */
import { describe, expect, it } from 'vitest';
import { BudgetPacer } from '../../../agents/learner/budget-pacer.js';
import { InputError } from '../../../env/errors.js';
import { OBS, OBS_SIZE, observationFrom } from '../../../env/observation.js';

describe('BudgetPacer', () => {
  it('λ(o) = exp(max(0, log λ₀ + κ (timeLeft − budgetLeft)))', () => {
    const p = new BudgetPacer({ logLambda0: 0.2, gain: 1.5 });
    expect(p.lambda(observationFrom({ budgetLeft: 0.4, timeLeft: 0.6 }))).toBeCloseTo(Math.exp(0.2 + 1.5 * 0.2), 14);
    // Far behind schedule: never below 1.
    expect(p.lambda(observationFrom({ budgetLeft: 0.9, timeLeft: 0.1 }))).toBe(1);
  });

  it('paces an observation: the value × λ₀ / λ(o) (in units of λ₀), everything else copied', () => {
    const p = new BudgetPacer({ logLambda0: Math.log(2), gain: 1 });
    const o = observationFrom({ value: 3, pctr: 0.1, budgetLeft: 0.3, timeLeft: 0.5 }); // λ = 2 e^0.2
    const out = p.pace(o, new Float64Array(OBS_SIZE));
    expect(out[OBS.value]).toBeCloseTo(3 / Math.exp(0.2), 14);
    expect(p.base).toBeCloseTo(2, 14);
    expect(out[OBS.pctr]).toBe(0.1);
    expect(o[OBS.value]).toBe(3);
  });

  it('after an episode moves log λ₀ to the mean log λ(o) of the auctions recorded', () => {
    const p = new BudgetPacer({ logLambda0: 0, gain: 2 });
    p.record(observationFrom({ budgetLeft: 0.5, timeLeft: 0.7 })); // log λ = 0.4
    p.record(observationFrom({ budgetLeft: 0.5, timeLeft: 0.3 })); // log λ = max(0, −0.4) = 0
    p.endEpisode();
    expect(p.logLambda0).toBeCloseTo(0.2, 14);
    p.endEpisode(); // nothing recorded: unchanged
    expect(p.params()).toEqual({ logLambda0: p.logLambda0, gain: 2 });
    expect(p.logLambda0).toBeCloseTo(0.2, 14);
  });

  it('with λ_min < 1 lets λ fall below 1 behind schedule, never below λ_min', () => {
    const p = new BudgetPacer({ logLambda0: 0, gain: 1, minLogLambda: Math.log(0.8) });
    expect(p.lambda(observationFrom({ budgetLeft: 0.6, timeLeft: 0.5 }))).toBeCloseTo(Math.exp(-0.1), 14);
    expect(p.lambda(observationFrom({ budgetLeft: 0.9, timeLeft: 0.1 }))).toBeCloseTo(0.8, 14);
    expect(() => new BudgetPacer({ logLambda0: -0.3, gain: 1, minLogLambda: Math.log(0.8) })).toThrow(/^pacer.logLambda0:/);
  });

  it('ratio rule: λ(o) = λ₀ × ((timeLeft + δ) / (budgetLeft + δ))^κ, floored at λ_min, and the rule in its params', () => {
    const p = new BudgetPacer({ logLambda0: 0.2, gain: 1.5, minLogLambda: Math.log(0.8), rule: 'ratio' });
    expect(p.lambda(observationFrom({ budgetLeft: 0.4, timeLeft: 0.6 }))).toBeCloseTo(Math.exp(0.2) * (0.61 / 0.41) ** 1.5, 12);
    // Far behind schedule: λ_min.
    expect(p.lambda(observationFrom({ budgetLeft: 0.9, timeLeft: 0.1 }))).toBeCloseTo(0.8, 14);
    // Budget gone with time left: large but finite.
    expect(Number.isFinite(p.lambda(observationFrom({ budgetLeft: 0, timeLeft: 0.5 })))).toBe(true);
    expect(p.params()).toEqual({ logLambda0: 0.2, gain: 1.5, minLogLambda: Math.log(0.8), rule: 'ratio' });
  });

  it('bids: multipliers m × v / λ(o) either way; a level ℓ with pacedLevels min(ℓ, v) / λ(o), without min(ℓ, v′) / λ₀', () => {
    const m = [0, 0.5, 1];
    const levels = [0.3, 2];
    // λ₀ = 2, ahead of schedule (budget left 0.2, time left 0.5): λ = 2 × 0.51 / 0.21.
    const o = observationFrom({ value: 1.5, budgetLeft: 0.2, timeLeft: 0.5 });
    const lambda = 2 * (0.51 / 0.21);
    const paced = new BudgetPacer({ logLambda0: Math.log(2), gain: 1, rule: 'ratio', pacedLevels: true });
    const old = new BudgetPacer({ logLambda0: Math.log(2), gain: 1, rule: 'ratio' });
    expect(paced.lambda(o)).toBeCloseTo(lambda, 12);
    for (const p of [paced, old]) expect(p.bid(m, levels, 1, o)).toBeCloseTo((0.5 * 1.5) / lambda, 12);
    // Level 0.3 (below the value): 0.3 / λ paced; the old rule 0.3 / λ₀, since v′ = 1.5 × 2 / λ = 0.618 > 0.3.
    expect(paced.bid(m, levels, 3, o)).toBeCloseTo(0.3 / lambda, 12);
    expect(old.bid(m, levels, 3, o)).toBeCloseTo(0.3 / 2, 12);
    // Level 2 (above the value): capped at the value either way, v / λ.
    expect(paced.bid(m, levels, 4, o)).toBeCloseTo(1.5 / lambda, 12);
    expect(old.bid(m, levels, 4, o)).toBeCloseTo(1.5 / lambda, 12);
    // Behind schedule (λ = λ_min = 0.5 < λ₀ = 1): a paced level rises to ℓ / 0.5, the old one stays at ℓ / λ₀.
    const behind = observationFrom({ value: 1.5, budgetLeft: 0.9, timeLeft: 0.1 });
    const p2 = new BudgetPacer({ logLambda0: 0, gain: 1, minLogLambda: Math.log(0.5), rule: 'ratio', pacedLevels: true });
    const o2 = new BudgetPacer({ logLambda0: 0, gain: 1, minLogLambda: Math.log(0.5), rule: 'ratio' });
    expect(p2.bid(m, levels, 3, behind)).toBeCloseTo(0.6, 12);
    expect(o2.bid(m, levels, 3, behind)).toBeCloseTo(0.3, 12);
    expect(p2.params()).toEqual({ logLambda0: 0, gain: 1, minLogLambda: Math.log(0.5), rule: 'ratio', pacedLevels: true });
    expect(o2.params()).toEqual({ logLambda0: 0, gain: 1, minLogLambda: Math.log(0.5), rule: 'ratio' });
  });

  it('refuses a negative gain or λ₀ below 1 (InputError naming the field)', () => {
    expect(() => new BudgetPacer({ logLambda0: 0, gain: -1 })).toThrow(InputError);
    expect(() => new BudgetPacer({ logLambda0: 0, gain: -1 })).toThrow(/^pacingGain:/);
    expect(() => new BudgetPacer({ logLambda0: -0.1, gain: 1 })).toThrow(/^pacer.logLambda0:/);
  });
});
