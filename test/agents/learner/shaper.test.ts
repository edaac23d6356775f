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
import { rng } from '../../../env/rng.js';
import { auctionScratch, runAuction } from '../../../env/exchange/mechanisms.js';
import { toMicros } from '../../../env/exchange/ledger.js';

const args = (over: Record<string, unknown> = {}) => z.object(learnerFields).parse({ multipliers: [0, 0.5, 1], bidLevels: [], priceLevels: [], scaleSample: 0, minLambda: 1, ...over });

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

  it('with a paced budget bids a level min(ℓ × scale, v) / λ(o): it rises as λ falls, as a multiplier does; the pacer says so', () => {
    const s = new BidShaper(args({ bidLevels: [0.15, 3], minLambda: 0.5 }), agentCtx({ budget: 10, valueScale: 2 }));
    // λ₀ = 1; behind schedule λ = λ_min = 0.5; ahead λ = 0.71 / 0.21.
    const behind = observationFrom({ value: 1, budgetLeft: 0.9, timeLeft: 0.1 });
    const ahead = observationFrom({ value: 1, budgetLeft: 0.2, timeLeft: 0.7 });
    const lambda = 0.71 / 0.21;
    // Action 3: level 0.15 × scale 2 = 0.3 (below the value 1).
    expect(s.bid(behind, 3, false)).toBeCloseTo(0.3 / 0.5, 14);
    expect(s.bid(ahead, 3, false)).toBeCloseTo(0.3 / lambda, 14);
    // Action 4: level 3 × 2 = 6, capped at the value: v / λ.
    expect(s.bid(ahead, 4, false)).toBeCloseTo(1 / lambda, 14);
    // The action of a bid it did not make last: the nearest action's bid on that observation (0, 1, 2, 0.6, 2).
    expect(s.actionOf(observationFrom({ value: 1, budgetLeft: 0.9, timeLeft: 0.1 }), 0.62)).toBe(3);
    expect(s.pacerParams()).toMatchObject({ rule: 'ratio', pacedLevels: true, minLogLambda: Math.log(0.5) });
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

  describe('counterfactual rewards (full information)', () => {
    const won = (cost: number, p: number) => ({ info: { won: true, slot: 0, cost, value: 1, clicks: 0, conversions: 0, competingBid: p } });
    const lost = (p: number) => ({ info: { won: false, slot: -1, cost: 0, value: 0, clicks: 0, conversions: 0, competingBid: p } });

    it('first price: a bid b above the price to beat p earns v − b, the others nothing; the bid levels too', () => {
      const s = new BidShaper(args({ bidLevels: [0.3, 2] }), agentCtx({ mechanism: 'first-price' }));
      expect(s.counterfactualOn).toBe(true);
      const out = new Float64Array(s.actions);
      // v = 1, p = 0.4; actions bid 0, 0.5, 1 (multipliers), 0.3, min(2, 1) = 1 (levels); played 0.5, won, paid 0.5.
      expect(s.counterfactual(transition({ value: 1 }, 0.5, 0.5, won(0.5, 0.4)), out)).toBe(true);
      expect(Array.from(out)).toEqual([0, 0.5, 0, 0, 0]);
      // Lost at 0.5 to p = 0.7: only the bids of 1 would have won, earning nothing.
      expect(s.counterfactual(transition({ value: 1 }, 0.5, 0, lost(0.7)), out)).toBe(true);
      expect(Array.from(out)).toEqual([0, 0, 0, 0, 0]);
      expect(s.counterfactual(transition({ value: 2 }, 1, 0, lost(1.5)), out)).toBe(true);
      expect(Array.from(out)).toEqual([0, 0, 0, 0, 0]);
      expect(s.counterfactual(transition({ value: 2 }, 1, 0, lost(0.9)), out)).toBe(false); // 1 > 0.9 should have won
    });

    it('second price: every bid above p earns v − p; in units of the reward scale', () => {
      const s = new BidShaper(args(), agentCtx({ mechanism: 'second-price', valueScale: 2 }));
      const out = new Float64Array(s.actions);
      expect(s.counterfactual(transition({ value: 1 }, 1, 0.6, won(0.4, 0.4)), out)).toBe(true);
      // Scale 1 / 2 (the context's value scale before any training bid).
      expect(Array.from(out)).toEqual([0, 0.3, 0.3]);
    });

    it('leaves the transition to the played action when its reward is not the rule\'s (an objective, an ad not shown), with a budget, several slots, or when off', () => {
      const s = new BidShaper(args(), agentCtx());
      const out = new Float64Array(s.actions).fill(7);
      expect(s.counterfactual(transition({ value: 1 }, 1, 0.25, won(0.4, 0.4)), out)).toBe(false);
      expect(Array.from(out)).toEqual([7, 7, 7]);
      expect(new BidShaper(args(), agentCtx({ budget: 5 })).counterfactualOn).toBe(false);
      expect(new BidShaper(args(), agentCtx({ slots: 2, mechanism: 'gsp' })).counterfactualOn).toBe(false);
      expect(new BidShaper(args({ counterfactual: false }), agentCtx()).counterfactualOn).toBe(false);
    });
  });

  describe('counterfactual rewards with a paced budget (every slot priced from the competing bids)', () => {
    const gsp = (over: Record<string, unknown> = {}) => agentCtx({ budget: 10, mechanism: 'gsp', slots: 2, slotWeights: [1, 0.5], reservePrice: 0.1, ...over });
    const info = (competingBids: number[], won: boolean, slot: number, cost: number) => ({
      info: { won, slot, cost, value: 0, clicks: 0, conversions: 0, competingBid: Math.max(competingBids[0]!, 0.1), competingBids: Float64Array.from(competingBids) },
    });

    it('GSP, two slots: a bid takes the first slot whose competing bid it beats, at w_j × max(c_j, reserve); Lagrangian reward value × w_j / λ − price', () => {
      const s = new BidShaper(args(), gsp());
      expect(s.counterfactualOn).toBe(true);
      const out = new Float64Array(s.actions);
      // λ = 1 (λ₀ = 1, on schedule); bids 0, 0.5, 1 against c = [0.8, 0.3]: nothing; slot 2 (0.5 × 1 − 0.5 × 0.3); slot 1 (1 − 0.8). Played 0.5.
      expect(s.counterfactual(transition({ value: 1 }, 0.5, 0.35, info([0.8, 0.3], true, 1, 0.15)), out)).toBe(true);
      expect(out[0]).toBe(0);
      expect(out[1]).toBeCloseTo(0.35, 12);
      expect(out[2]).toBeCloseTo(0.2, 12);
      // Ahead of schedule λ = 0.71 / 0.21: bids 0, 0.5 / λ, 1 / λ against c = [0.25, 0.12]; played 1 / λ (slot 1, paid 0.25).
      const lambda = 0.71 / 0.21;
      const o = { value: 1, budgetLeft: 0.2, timeLeft: 0.7 };
      expect(s.counterfactual(transition(o, 1 / lambda, 0.75, info([0.25, 0.12], true, 0, 0.25)), out)).toBe(true);
      expect(out[0]).toBe(0);
      expect(out[1]).toBeCloseTo(0.5 / lambda - 0.5 * 0.12, 12);
      expect(out[2]).toBeCloseTo(1 / lambda - 0.25, 12);
      // Below the reserve nothing is won: c = [0.05, 0]; 0.5 / λ = 0.148 clears the reserve 0.1 and takes slot 1 at the reserve.
      expect(s.counterfactual(transition(o, 1 / lambda, 1 - 0.1, info([0.05, 0], true, 0, 0.1)), out)).toBe(true);
      expect(out[1]).toBeCloseTo(1 / lambda - 0.1, 12);
    });

    it('caps a bid at the budget left, as the market does', () => {
      const s = new BidShaper(args(), gsp({ budget: 1, reservePrice: 0.01 }));
      const out = new Float64Array(s.actions);
      // Budget left 0.1 (λ = 1 on schedule): the bids 0.5 and 1 are both capped at 0.1, which beats c_0 = 0.05: slot 1 at 0.05.
      expect(s.counterfactual(transition({ value: 1, budgetLeft: 0.1, timeLeft: 0.1 }, 0.1, 0.95, info([0.05, 0.02], true, 0, 0.05)), out)).toBe(true);
      expect(out[1]).toBeCloseTo(0.95, 12);
      expect(out[2]).toBeCloseTo(0.95, 12);
    });

    it('one slot with a budget, and first price: the bid times the slot weight is the price', () => {
      const s = new BidShaper(args(), agentCtx({ budget: 10, mechanism: 'first-price', slotWeights: [1], reservePrice: 0 }));
      expect(s.counterfactualOn).toBe(true);
      const out = new Float64Array(s.actions);
      expect(s.counterfactual(transition({ value: 1 }, 0.5, 0, info([0.7], false, -1, 0)), out)).toBe(true);
      expect(out[0]).toBe(0);
      expect(out[1]).toBe(0);
      expect(out[2]).toBeCloseTo(0, 12); // 1 − 1
    });

    it('leaves the transition to the played action when its reward is not the rule\'s, when the competing bids are not reported, and is off without pacing or without the market\'s slot weights', () => {
      const s = new BidShaper(args(), gsp());
      const out = new Float64Array(s.actions).fill(7);
      // Played 0.5 against [0.8, 0.3] earns 0.35 by the rule; 0.2 reported: an objective or an ad not shown.
      expect(s.counterfactual(transition({ value: 1 }, 0.5, 0.2, info([0.8, 0.3], true, 1, 0.15)), out)).toBe(false);
      expect(Array.from(out)).toEqual([7, 7, 7]);
      expect(s.counterfactual(transition({ value: 1 }, 0.5, 0.35, { info: { won: true, slot: 1, cost: 0.15, value: 0, clicks: 0, conversions: 0, competingBid: 0.8 } }), out)).toBe(false);
      expect(new BidShaper(args({ pacing: false }), gsp()).counterfactualOn).toBe(false);
      expect(new BidShaper(args(), gsp({ slotWeights: undefined })).counterfactualOn).toBe(false);
      expect(new BidShaper(args(), gsp({ budget: null })).counterfactualOn).toBe(false); // several slots, no budget: not used
      expect(new BidShaper(args({ counterfactual: false }), gsp()).counterfactualOn).toBe(false);
    });
  });

  describe('price levels (bid levels where the competing bids are)', () => {
    const lost = (p: number, competingBids?: number[]) => ({ info: { won: false, slot: -1, cost: 0, value: 0, clicks: 0, conversions: 0, competingBid: p, ...(competingBids ? { competingBids: Float64Array.from(competingBids) } : {}) } });
    /** Warms `s` up on `n` auctions of value v (each reporting `price(i)`) and returns the level bids it then bids with. */
    const warm = (s: BidShaper, n: number, v: number, info: (i: number) => ReturnType<typeof lost>) => {
      const r = rng(7).stream('warm');
      for (let i = 0; i < n; i++) {
        const a = s.warmupAction(r, true);
        expect(a).not.toBeNull();
        const o = observationFrom({ value: v });
        const b = s.bid(o, a!, true);
        expect(s.skipWarmup(transition({ value: v }, b, 0, info(i)))).toBe(true);
      }
      expect(s.warmupAction(r, true)).toBeNull();
      expect(s.warmingUp).toBe(false);
      expect(s.skipWarmup(transition({ value: v }, 0, 0, info(0)))).toBe(false);
      return [...s.levelBids];
    };

    it('without a warm-up sit at q × the value scale, merged with the scale levels (the default: 0.05 … 1 × the scale)', () => {
      const defaults = z.object(learnerFields).parse({});
      const s = new BidShaper({ ...defaults, scaleSample: 0 }, agentCtx({ valueScale: 2 }));
      expect(s.actions).toBe(26 + 20);
      expect(s.levelBids.map((b) => Math.round(b * 1e9) / 1e9)).toEqual(Array.from({ length: 20 }, (_, i) => Math.round((i + 1) * 0.1 * 1e9) / 1e9));
    });

    it('after the warm-up sit one micro above the quantiles of the prices to beat; repeated prices (a constant rival) give levels a micro apart', () => {
      // Prices 0.3 (constant): both price levels just above it; the scale level 0.5 × the measured scale 0.8.
      const s = new BidShaper(args({ bidLevels: [0.5], priceLevels: [0.25, 0.75], scaleSample: 20 }), agentCtx({ mechanism: 'first-price' }));
      expect(s.actions).toBe(3 + 3);
      expect(warm(s, 20, 0.8, () => lost(0.3))).toEqual([0.300001, 0.300002, 0.4]);
      // Prices 0.01 … 0.2: the 0.25- and 0.75-quantiles (entries 5 and 15 of 20, 0-based) plus a micro.
      const t = new BidShaper(args({ bidLevels: [0.5], priceLevels: [0.25, 0.75], scaleSample: 20 }), agentCtx({ mechanism: 'first-price' }));
      expect(warm(t, 20, 2, (i) => lost((i + 1) / 100))).toEqual([0.060001, 0.160001, 1]);
    });

    it('with several slots take every slot\'s price to beat (the j-th competing bid or the reserve)', () => {
      const s = new BidShaper(args({ bidLevels: [], priceLevels: [0.25, 0.75], scaleSample: 10 }), agentCtx({ mechanism: 'gsp', slots: 2, reservePrice: 0.1 }));
      // Top slot 0.9, second slot max(0.05, reserve 0.1) = 0.1: half the prices each.
      expect(warm(s, 10, 1, () => lost(0.9, [0.9, 0.05]))).toEqual([0.100001, 0.900001]);
    });

    it('a bid at the price level beats a constant rival in the exchange (ties and micros)', () => {
      const s = new BidShaper(args({ bidLevels: [], priceLevels: [0.5], scaleSample: 5 }), agentCtx({ mechanism: 'first-price' }));
      const c = 0.123457;
      const [level] = warm(s, 5, 1, () => lost(c));
      const sc = auctionScratch(2, 1);
      // The rival bids c with the higher tie-break priority: the level still wins, at its own bid.
      runAuction('first-price', Float64Array.from([toMicros(level!), toMicros(c)]), Uint32Array.from([0, 1]), 2, 0, Float64Array.from([1]), sc);
      expect(sc.winner[0]).toBe(0);
      expect(sc.price[0]).toBe(toMicros(level!));
      expect(level! - c).toBeLessThanOrEqual(1.0000001e-6);
    });
  });
});

