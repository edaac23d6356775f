/** The baseline bidders (agents/baselines.ts): what they bid, their schemas' defaults, and that they never learn. */
import { describe, expect, it } from 'vitest';
import { ConstantAgent, constantSchema, RandomAgent, randomSchema, ShadedAgent, shadedSchema, TruthfulAgent } from '../../agents/baselines.js';
import { StaticAgent } from '../../agents/core.js';
import { observationFrom } from '../../env/observation.js';
import { rng } from '../../env/rng.js';
import { transition } from '../helpers.js';

describe('baseline bidders', () => {
  const o = observationFrom({ value: 0.8 });

  it('truthful bids the value, shaded factor × value, constant its amount', () => {
    expect(new TruthfulAgent().act(o, rng(1))).toBe(0.8);
    expect(new ShadedAgent({ factor: 0.5 }).act(o, rng(1))).toBe(0.4);
    expect(new ConstantAgent({ amount: 0.3 }).act(o, rng(1))).toBe(0.3);
    for (const a of [new TruthfulAgent(), new ShadedAgent({ factor: 0.5 }), new ConstantAgent({ amount: 0.3 })]) {
      expect(a).toBeInstanceOf(StaticAgent);
      a.learn(transition({ value: 0.8 }, 0.8, 1));
      expect(a.policy().bid(o)).toBe(a.act(o, rng(1)));
    }
  });

  it('random bids uniformly in [low, high) from the stream it is given; its frozen policy from its own seed', () => {
    const a = new RandomAgent({ low: 0.2, high: 0.4 }, 'seed');
    const r = rng(2);
    const bids = Array.from({ length: 1000 }, () => a.act(o, r));
    expect(Math.min(...bids)).toBeGreaterThanOrEqual(0.2);
    expect(Math.max(...bids)).toBeLessThan(0.4);
    expect(a.policy().bid(o)).toBe(a.policy().bid(o));
    expect(a.policy().params()).toEqual({ low: 0.2, high: 0.4, seed: 'seed' });
  });

  it('has the documented config defaults', () => {
    expect(shadedSchema.parse({ kind: 'shaded' }).factor).toBe(0.8);
    expect(constantSchema.parse({ kind: 'constant' }).amount).toBe(0.5);
    expect(randomSchema.parse({ kind: 'random' })).toEqual({ kind: 'random', low: 0, high: 1 });
    expect(randomSchema.safeParse({ kind: 'random', low: 2, high: 1 }).success).toBe(false);
  });
});
