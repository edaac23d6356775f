/** Thompson sampling (agents/thompson.ts): exploration draws only from the stream given; evaluation plays the posterior mean. */
import { describe, expect, it } from 'vitest';
import { ThompsonAgent, ThompsonAllocator, thompsonAllocatorSchema, thompsonSchema } from '../../agents/thompson.js';
import { observationFrom } from '../../env/observation.js';
import { rng } from '../../env/rng.js';
import { agentCtx, transition } from '../helpers.js';

const args = (over: Record<string, unknown> = {}) => {
  const { kind: _kind, ...a } = thompsonSchema.parse({ kind: 'thompson', counterfactual: false, scaleSample: 0, bidLevels: [], priceLevels: [], minLambda: 1, multipliers: [0.5, 1], features: ['value'], degree: 1, ...over });
  return a;
};

describe('ThompsonAgent', () => {
  it('samples both arms while uncertain, the same way from the same stream, and evaluates on the posterior mean', () => {
    const agent = new ThompsonAgent(args(), agentCtx());
    const o = observationFrom({ value: 1 });
    for (let i = 0; i < 3; i++) agent.learn(transition({ value: 1 }, 0.5, 0.2));
    const play = (seed: number) => {
      const r = rng(seed);
      return Array.from({ length: 200 }, () => agent.act(o, r));
    };
    const bids = play(4);
    expect(play(4)).toEqual(bids);
    expect(new Set(bids)).toEqual(new Set([0.5, 1]));
    agent.training = false;
    expect(agent.act(o, rng(1))).toBe(0.5);
  });
});

describe('ThompsonAllocator', () => {
  it('takes its defaults from the config schema (noise 0.1, regularisation 1, no forgetting)', () => {
    const a = new ThompsonAllocator({ dimension: 3 });
    expect(thompsonAllocatorSchema.parse({ kind: 'thompson' })).toEqual({ kind: 'thompson', noise: 0.1, regularisation: 1 });
    expect([a.noise, a.decay]).toEqual([0.1, 1]);
  });
});
