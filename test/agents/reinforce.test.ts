/**
 * REINFORCE (agents/reinforce.ts) on a two-armed bandit: two bid multipliers on
 * a constant value, each with its own expected reward. The policy-gradient
 * estimate averaged over the arms is the analytic gradient of the expected
 * reward, and the agent ends up playing the better arm.
 */
import { describe, expect, it } from 'vitest';
import { policyGradient, softmax } from '../../agents/learner/policy-gradient.js';
import { ReinforceAgent, reinforceSchema } from '../../agents/reinforce.js';
import { observationFrom } from '../../env/observation.js';
import { rng } from '../../env/rng.js';
import { agentCtx, transition } from '../helpers.js';

/** Expected reward of each arm (multiplier 0.5, multiplier 1). */
const MEAN = [0.3, 0.1];

describe('REINFORCE on two arms', () => {
  it('its expected update is minus the analytic gradient of J(θ) = Σ π_a r_a, ∂J/∂θ_a = π_a (r_a − J)', () => {
    for (const z of [[0, 0], [1.2, -0.4], [-2, 0.5]]) {
      const p = new Float64Array(2);
      softmax(z, p);
      const J = p[0]! * MEAN[0]! + p[1]! * MEAN[1]!;
      // E_a[∇ loss] with the baseline at J (advantage r_a − J), no entropy bonus.
      const expected = new Float64Array(2);
      const d = new Float64Array(2);
      for (let a = 0; a < 2; a++) {
        policyGradient(p, a, MEAN[a]! - J, 0, d);
        for (let j = 0; j < 2; j++) expected[j]! += p[a]! * d[j]!;
      }
      for (let j = 0; j < 2; j++) expect(expected[j]).toBeCloseTo(-p[j]! * (MEAN[j]! - J), 14);
      // Descending the loss raises the better arm's logit.
      expect(expected[0]).toBeLessThan(0);
      expect(expected[1]).toBeGreaterThan(0);
    }
  });

  it.each([1, 2, 3, 4])('the agent converges to the better arm from the uniform policy (seed %i)', (seed) => {
    const { kind: _kind, ...args } = reinforceSchema.parse({ kind: 'reinforce', counterfactual: false, scaleSample: 0, bidLevels: [], priceLevels: [], minLambda: 1, multipliers: [0.5, 1], features: ['value'], hidden: [4], learningRate: 0.05, batchSize: 32, entropy: 0 });
    const agent = new ReinforceAgent(args, agentCtx({ rng: rng(seed).stream('init') }));
    const o = observationFrom({ value: 1 });
    const probs = new Float64Array(2);
    softmax(agent.actor.forward([1]), probs);
    expect(probs[0]).toBeCloseTo(0.5, 12);
    const explore = rng(seed).stream('explore');
    const noise = rng(seed).stream('rewards');
    for (let t = 0; t < 6000; t++) {
      const bid = agent.act(o, explore);
      const arm = bid === 0.5 ? 0 : 1;
      agent.learn(transition({ value: 1 }, bid, MEAN[arm]! + 0.2 * noise.normal()));
    }
    softmax(agent.actor.forward([1]), probs);
    expect(probs[0]).toBeGreaterThan(0.95);
    agent.training = false;
    expect(agent.act(o, explore)).toBe(0.5);
    expect(agent.policy().bid(o)).toBe(0.5);
  });
});
