/**
 * What every learner shares (agents/learner/shaper.ts): the action set
 * bid = multiplier × value / λ(o), recovering the action from a transition,
 * and the scaled (with a budget, Lagrangian) reward.
 */
import { describe, expect, it } from 'vitest';
import { learnerFields } from '../../../agents/learner/args.js';
import { BidShaper } from '../../../agents/learner/shaper.js';
import { z } from 'zod';
import { observationFrom } from '../../../env/observation.js';
import { agentCtx, transition } from '../../helpers.js';

const args = (over: Record<string, unknown> = {}) => z.object(learnerFields).parse({ multipliers: [0, 0.5, 1], bidLevels: [], scaleSample: 0, minLambda: 1, ...over });

describe('BidShaper', () => {
  it('bids multiplier × value without a budget, and finds the action of a bid', () => {
    const s = new BidShaper(args(), agentCtx());
    const o = observationFrom({ value: 0.8 });
    expect(s.bid(o, 1, true)).toBe(0.4);
    expect(s.actionOf(o, 0.4)).toBe(1);
    // A bid it did not make last: the nearest multiplier.
    expect(s.actionOf(observationFrom({ value: 2 }), 1.9)).toBe(2);
    expect(s.pacer).toBeNull();
    expect(s.budgetInState).toBe(false);
  });

  it('with a paced budget bids multiplier × value / λ(o) and learns from (r − (λ − 1) · cost) / λ', () => {
    const s = new BidShaper(args({ pacingGain: 1 }), agentCtx({ budget: 10 }));
    const o = observationFrom({ value: 1, budgetLeft: 0.2, timeLeft: 0.7 }); // λ = λ₀ × (0.71 / 0.21)^κ, λ₀ = 1 (the ratio rule)
    const lambda = 0.71 / 0.21;
    expect(s.bid(o, 2, false)).toBeCloseTo(1 / lambda, 14);
    const t = transition({ value: 1, budgetLeft: 0.2, timeLeft: 0.7 }, 1 / lambda, 0.4, { info: { won: true, slot: 0, cost: 0.3, value: 0.7, clicks: 1, conversions: 0, competingBid: 0.3 } });
    // Reward scale: 1 / the value scale before any training bid.
    expect(s.reward(t)).toBeCloseTo((0.4 - (lambda - 1) * 0.3) / lambda, 14);
  });

  it('learns the budget from the state when pacing is off: the default features add budgetLeft and timeLeft', () => {
    const s = new BidShaper(args({ pacing: false }), agentCtx({ budget: 10 }));
    expect(s.pacer).toBeNull();
    expect(s.budgetInState).toBe(true);
    expect(s.timeAware).toBe(true);
    expect(s.encoderSpec.features.map((f) => f.name)).toEqual(['value', 'budgetLeft', 'timeLeft']);
  });

  it('divides rewards by the running mean of the values it acted on in training', () => {
    const s = new BidShaper(args(), agentCtx({ valueScale: 4 }));
    expect(s.reward(transition({ value: 1 }, 1, 1))).toBe(0.25);
    s.bid(observationFrom({ value: 2 }), 1, true); // mean of (4 prior, then 2) over one auction: 2
    expect(s.reward(transition({ value: 1 }, 1, 1))).toBe(0.5);
    s.bid(observationFrom({ value: 2 }), 1, false); // evaluation bids do not count
    expect(s.reward(transition({ value: 1 }, 1, 1))).toBe(0.5);
  });
});
