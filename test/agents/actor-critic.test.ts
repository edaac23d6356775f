/**
 * Actor-critic (agents/actor-critic.ts): the one-step TD targets and the
 * advantage δ = r + γ V(x′) − V(x) of a batch, computed by hand from a critic
 * whose weights are set by hand, and the actor's step following the sign of δ.
 */
import { describe, expect, it } from 'vitest';
import { ActorCriticAgent, actorCriticSchema } from '../../agents/actor-critic.js';
import { softmax } from '../../agents/learner/policy-gradient.js';
import { observationFrom } from '../../env/observation.js';
import { agentCtx, transition } from '../helpers.js';

function agent(over: Record<string, unknown> = {}): ActorCriticAgent {
  const { kind: _kind, ...args } = actorCriticSchema.parse({ kind: 'actor-critic', counterfactual: false, scaleSample: 0, bidLevels: [], priceLevels: [], minLambda: 1, multipliers: [0, 1], features: ['value'], hidden: [1], discount: 0.9, batchSize: 2, entropy: 0, learningRate: 0.01, ...over });
  const ac = new ActorCriticAgent(args, agentCtx());
  // V(x) = 2 · relu(x) − 0.5
  ac.critic.w[0]!.set([1]);
  ac.critic.b[0]!.set([0]);
  ac.critic.w[1]!.set([2]);
  ac.critic.b[1]!.set([-0.5]);
  return ac;
}

describe('ActorCriticAgent advantage', () => {
  it('is the TD error δ = r + γ · V(x′) · [bootstrap] − V(x), with the critic as it stands', () => {
    const ac = agent();
    const next = observationFrom({ value: 0.5 });
    // Action 1 (bid 0.8 on 0.8), reward 0.3, next value 0.5: y = 0.3 + 0.9 × (2 × 0.5 − 0.5) = 0.75.
    ac.learn(transition({ value: 0.8 }, 0.8, 0.3, { nextObservation: next }));
    const y = ac.tdTargets(1, new Float64Array(1));
    expect(y[0]).toBeCloseTo(0.75, 12);
    const v = ac.critic.forward([0.8])[0]!;
    expect(v).toBeCloseTo(1.1, 12);
    expect(y[0]! - v).toBeCloseTo(-0.35, 12);
  });

  it('does not bootstrap after a termination or at the horizon of a time-aware state; bootstraps from x at other horizons', () => {
    const ac = agent({ batchSize: 8 });
    ac.learn(transition({ value: 0.8 }, 0, 1.5, { terminated: true }));
    ac.learn(transition({ value: 0.8 }, 0, 0.2, { nextObservation: null, truncated: true }));
    const y = ac.tdTargets(2, new Float64Array(2));
    expect(y[0]).toBe(1.5);
    // At the horizon without time in the state: from x itself, 0.2 + 0.9 × (2 × 0.8 − 0.5).
    expect(y[1]).toBeCloseTo(0.2 + 0.9 * 1.1, 12);
    const timed = agent({ features: ['value', 'timeLeft'], batchSize: 8 });
    timed.learn(transition({ value: 0.8, timeLeft: 0 }, 0, 0.2, { nextObservation: null, truncated: true }));
    expect(timed.tdTargets(1, new Float64Array(1))[0]).toBe(0.2);
  });

  it('moves the actor towards actions with a positive advantage and away from those with a negative one', () => {
    const ac = agent();
    const p = new Float64Array(2);
    softmax(ac.actor.forward([0.8]), p);
    expect(p[0]).toBe(0.5);
    // δ₁ = −0.35 for action 1; δ₂ = 1.5 − 1.1 = 0.4 for action 0: the batch is full, one update.
    ac.learn(transition({ value: 0.8 }, 0.8, 0.3, { nextObservation: observationFrom({ value: 0.5 }) }));
    ac.learn(transition({ value: 0.8 }, 0, 1.5, { terminated: true }));
    softmax(ac.actor.forward([0.8]), p);
    expect(p[0]).toBeGreaterThan(0.5);
    // …and the critic towards the targets: V(0.8) was 1.1, the targets 0.75 and 1.5 (mean 1.125).
    expect(ac.critic.forward([0.8])[0]).toBeGreaterThan(1.1);
  });
});
