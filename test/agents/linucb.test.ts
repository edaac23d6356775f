/** LinUCB (agents/linucb.ts): the bidder plays the arm with the highest upper confidence bound; the allocator's defaults are the config's. */
import { describe, expect, it } from 'vitest';
import { LinUcbAgent, LinUcbAllocator, linucbAllocatorSchema, linucbSchema } from '../../agents/linucb.js';
import { observationFrom } from '../../env/observation.js';
import { rng } from '../../env/rng.js';
import { agentCtx, transition } from '../helpers.js';

const args = (over: Record<string, unknown> = {}) => {
  const { kind: _kind, ...a } = linucbSchema.parse({ kind: 'linucb', counterfactual: false, scaleSample: 0, bidLevels: [], priceLevels: [], minLambda: 1, multipliers: [0.5, 1], features: ['value'], degree: 1, ...over });
  return a;
};

describe('LinUcbAgent', () => {
  it('explores the arm with the wider bonus, and evaluates on the posterior mean', () => {
    const agent = new LinUcbAgent(args({ alpha: 1 }), agentCtx());
    const o = observationFrom({ value: 1 });
    // Arm 0 (multiplier 0.5) seen 5 times with reward 0.2: mean ≈ 0.17, narrow; arm 1 unseen: mean 0, wide.
    for (let i = 0; i < 5; i++) agent.learn(transition({ value: 1 }, 0.5, 0.2));
    const [a0, a1] = agent.arms;
    const x = [1, 1];
    expect(a0!.mean(x) + a0!.width(x)).toBeLessThan(a1!.mean(x) + a1!.width(x));
    expect(agent.act(o, rng(1))).toBe(1);
    agent.training = false;
    expect(agent.act(o, rng(1))).toBe(0.5);
    expect(agent.policy().bid(o)).toBe(0.5);
  });
});

describe('LinUcbAllocator', () => {
  it('takes its defaults from the config schema (alpha 0.1, regularisation 1, no forgetting)', () => {
    const a = new LinUcbAllocator({ dimension: 3 });
    expect(linucbAllocatorSchema.parse({ kind: 'linucb' })).toEqual({ kind: 'linucb', alpha: 0.1, regularisation: 1 });
    expect([a.alpha, a.decay]).toEqual([0.1, 1]);
    expect(a.model.ainv[0]).toBe(1);
  });
});

describe('LinUcbAgent learning counterfactually (basis auto = value buckets)', () => {
  it('updates every arm with what it would have earned, and its policy is a valid table that bids the same', async () => {
    const { POLICY_KINDS } = await import('../../agents/policy-kinds.js');
    const { kind: _kind, ...a } = linucbSchema.parse({ kind: 'linucb', scaleSample: 0, bidLevels: [], priceLevels: [], multipliers: [0.25, 0.5, 1], features: ['value'] });
    const agent = new LinUcbAgent(a, agentCtx({ mechanism: 'first-price' }));
    // v = 1 against a price to beat of 0.4: 0.25 loses, 0.5 earns 0.5, 1 earns 0; played 0.5 (won, paid 0.5).
    const o = observationFrom({ value: 1 });
    for (let i = 0; i < 20; i++) {
      const bid = agent.act(o, rng(i));
      const won = bid > 0.4;
      agent.learn(transition({ value: 1 }, bid, won ? 1 - bid : 0, { info: { won, slot: won ? 0 : -1, cost: won ? bid : 0, value: won ? 1 : 0, clicks: 0, conversions: 0, competingBid: 0.4 } }));
    }
    expect(agent.arms.map((m) => m.count)).toEqual([20, 20, 20]);
    agent.training = false;
    expect(agent.act(o, rng(1))).toBe(0.5);
    const policy = agent.policy();
    const parsed = POLICY_KINDS.linucb!.params.safeParse(policy.params() as never);
    expect(parsed.success).toBe(true);
    const rebuilt = POLICY_KINDS.linucb!.build('linucb', parsed.data as never);
    for (const v of [0.1, 0.5, 1, 1.4]) expect(rebuilt.bid(observationFrom({ value: v }))).toBe(policy.bid(observationFrom({ value: v })));
  });
});
