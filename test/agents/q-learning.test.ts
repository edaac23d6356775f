import { describe, expect, it } from 'vitest';
import type { Transition } from '../../agents/core.js';
import { QLearningAgent, type QLearningArgs } from '../../agents/q-learning.js';
import { observationFrom } from '../../env/observation.js';
import { rng } from '../../env/rng.js';
import { agentCtx, LOST } from '../helpers.js';

const ctx = () => agentCtx({ id: 'q' });

const args = (over: Partial<QLearningArgs> = {}): QLearningArgs => ({
  multipliers: [0, 1],
  features: null,
  pacing: true,
  pacingGain: 5,
  valueBuckets: 8,
  fractionBuckets: 5,
  discount: 'auto',
  learningRate: 1,
  learningRatePower: 0.7,
  minLearningRate: 0.01,
  epsilonStart: 1,
  epsilonEnd: 0.02,
  epsilonHalfLife: 50,
  ...over,
});

const noInfo = LOST;

describe('QLearningAgent on a small MDP', () => {
  // Three states (read from the budgetLeft feature, three buckets), two actions
  // (multipliers 0 and 1 on a value of 1), random rewards and transitions, and a
  // terminal exit. Uniform exploration makes it off-policy Q-learning, which
  // converges to Q* (Watkins & Dayan 1992); value iteration gives Q* exactly.
  const S = 3;
  const A = 2;
  const gamma = 0.9;
  const model = rng(11).stream('mdp');
  const R = Array.from({ length: S * A }, () => model.uniform(-1, 1));
  const pEnd = Array.from({ length: S * A }, () => 0.1 * model.next());
  const P = Array.from({ length: S * A }, () => {
    const w = Array.from({ length: S }, () => model.next());
    const s = w.reduce((x, y) => x + y, 0);
    return w.map((x) => x / s);
  });
  const obsOf = (s: number) => observationFrom({ value: 1, budgetLeft: (s + 0.5) / S });

  function valueIteration(): number[] {
    const q = new Array<number>(S * A).fill(0);
    for (let it = 0; it < 2000; it++) {
      const v = Array.from({ length: S }, (_, s) => Math.max(q[s * A]!, q[s * A + 1]!));
      for (let i = 0; i < S * A; i++) q[i] = R[i]! + gamma * (1 - pEnd[i]!) * P[i]!.reduce((acc, p, s2) => acc + p * v[s2]!, 0);
    }
    return q;
  }

  it('converges to the value-iteration Q-values', () => {
    const agent = new QLearningAgent(
      args({ features: ['budgetLeft'], fractionBuckets: S, discount: gamma, epsilonStart: 1, epsilonEnd: 1, minLearningRate: 0, learningRatePower: 0.6 }),
      ctx(),
    );
    expect(agent.grid.size).toBe(S);
    const env = rng(12).stream('env');
    const explore = rng(13).stream('explore');
    let s = 0;
    for (let step = 0; step < 500_000; step++) {
      const o = obsOf(s);
      const bid = agent.act(o, explore);
      const a = bid > 0 ? 1 : 0;
      const i = s * A + a;
      const reward = R[i]! + 0.5 * env.normal();
      const end = env.next() < pEnd[i]!;
      let u = env.next();
      let s2 = 0;
      while (s2 < S - 1 && u >= P[i]![s2]!) u -= P[i]![s2++]!;
      const t: Transition = { observation: o, action: bid, reward, nextObservation: end ? null : obsOf(s2), terminated: end, truncated: false, info: noInfo };
      agent.learn(t);
      s = end ? env.int(S) : s2;
    }
    const qStar = valueIteration();
    for (let i = 0; i < S * A; i++) expect(Math.abs(agent.q[i]! - qStar[i]!)).toBeLessThan(0.1);
    // And the greedy policy is the optimal one wherever the two actions differ by more than the tolerance.
    for (let st = 0; st < S; st++) {
      if (Math.abs(qStar[st * A + 1]! - qStar[st * A]!) < 0.2) continue;
      const best = qStar[st * A + 1]! > qStar[st * A]! ? 1 : 0;
      expect(agent.policy().bid(obsOf(st)) > 0 ? 1 : 0).toBe(best);
    }
  });

  it('bootstraps after a truncation only when time is not in the state', () => {
    const o = observationFrom({ value: 1, timeLeft: 0.01 });
    // Q(s, ·) = 2 already, r = 1, γ = 0.5: target 1 + 0.5 · 2 without time in the
    // state; with it the horizon is a true end of the time-augmented MDP: target = r.
    for (const features of [['value'], ['value', 'timeLeft']] as const) {
      const agent = new QLearningAgent(args({ features: [...features], discount: 0.5, learningRate: 1, learningRatePower: 0, minLearningRate: 0 }), ctx());
      const s = agent.state(o);
      agent.q[s * 2] = 2;
      agent.q[s * 2 + 1] = 2;
      agent.learn({ observation: o, action: 1, reward: 1, nextObservation: null, terminated: false, truncated: true, info: noInfo });
      expect(agent.q[s * 2 + 1]).toBeCloseTo(features.length === 1 ? 1 + 0.5 * 2 : 1, 12);
      // A termination never bootstraps.
      agent.q[s * 2 + 1] = 2;
      agent.learn({ observation: o, action: 1, reward: 1, nextObservation: null, terminated: true, truncated: false, info: noInfo });
      expect(agent.q[s * 2 + 1]).toBeCloseTo(1, 12);
    }
  });

  it('acts greedily and deterministically when training is off', () => {
    const agent = new QLearningAgent(args(), ctx());
    const o = observationFrom({ value: 0.5 });
    const s = agent.state(o);
    agent.q[s * 2 + 1] = 1;
    agent.training = false;
    const r1 = rng(5);
    for (let i = 0; i < 100; i++) expect(agent.act(o, r1)).toBe(0.5);
    agent.learn({ observation: o, action: 0, reward: 100, nextObservation: null, terminated: true, truncated: false, info: noInfo });
    expect(agent.q[s * 2]).toBe(0);
  });

  it('rejects bad arguments, naming the field', () => {
    expect(() => new QLearningAgent(args({ multipliers: [0.5, 0.2] }), ctx())).toThrow(/multipliers\[1\]: expected increasing/);
    expect(() => new QLearningAgent(args({ features: ['nope' as never] }), ctx())).toThrow(/unknown observation feature "nope"/);
    expect(() => new QLearningAgent(args({ valueBuckets: 0 }), ctx())).toThrow(/buckets\[0\]/);
  });
});
