/**
 * DQN (agents/dqn.ts): the double-DQN target of a stored transition, checked
 * against one computed by hand from networks whose weights are set by hand,
 * what `trainEvery` counts, and the least-squares refit of the output layer.
 */
import { describe, expect, it } from 'vitest';
import { DqnAgent, dqnSchema } from '../../agents/dqn.js';
import { agentCtx, transition } from '../helpers.js';

/** Arguments from the schema's defaults with `over` applied (no training before `warmup`). */
function args(over: Record<string, unknown> = {}) {
  const { kind: _kind, ...a } = dqnSchema.parse({ kind: 'dqn', counterfactual: false, scaleSample: 0, bidLevels: [], priceLevels: [], minLambda: 1, multipliers: [0, 1], features: ['value'], hidden: [2], discount: 0.9, warmup: 1000, replaySize: 8, ...over });
  return a;
}

/**
 * One input x, hidden h = relu([x, 1 − x]), two outputs Q = [a·h₀, b·h₁]: the
 * online network has (a, b) = (1, 2), the target network (3, 1).
 */
function handNetworks(dqn: DqnAgent): void {
  for (const [net, a, b] of [[dqn.online, 1, 2], [dqn.target, 3, 1]] as const) {
    net.w[0]!.set([1, -1]);
    net.b[0]!.set([0, 1]);
    net.w[1]!.set([a, 0, 0, b]);
    net.b[1]!.set([0, 0]);
  }
}

describe('DqnAgent target', () => {
  it('is r + γ · Q_target(x′, argmax_a Q_online(x′, a)): the online network picks, the target network values', () => {
    const dqn = new DqnAgent(args(), agentCtx());
    handNetworks(dqn);
    // Bid 0.8 on a value of 0.8 is multiplier 1 (action 1); reward 0.3; next value 0.5.
    dqn.learn(transition({ value: 0.8 }, 0.8, 0.3, { nextObservation: transition({ value: 0.5 }, 0, 0).observation }));
    expect(dqn.replay.a[0]).toBe(1);
    // x′ = 0.5: h = [0.5, 0.5]; Q_online = [0.5, 1.0] → a′ = 1; Q_target = [1.5, 0.5] → 0.5.
    // y = 0.3 + 0.9 × 0.5 = 0.75 (a max over the target network would give 0.3 + 0.9 × 1.5 = 1.65).
    expect(dqn.tdTarget(0)).toBeCloseTo(0.75, 12);
  });

  it('bootstraps from x itself at the horizon when time is not a feature', () => {
    const dqn = new DqnAgent(args(), agentCtx());
    handNetworks(dqn);
    dqn.learn(transition({ value: 0.8 }, 0.8, 0.3, { nextObservation: null, truncated: true }));
    // x = 0.8: h = [0.8, 0.2]; Q_online = [0.8, 0.4] → a′ = 0; Q_target = [2.4, 0.2] → 2.4. y = 0.3 + 0.9 × 2.4.
    expect(dqn.tdTarget(0)).toBeCloseTo(2.46, 12);
  });

  it('does not bootstrap after a termination, at the horizon of a time-aware state, or with γ = 0', () => {
    const terminated = new DqnAgent(args(), agentCtx());
    handNetworks(terminated);
    terminated.learn(transition({ value: 0.8 }, 0.8, 0.3, { terminated: true }));
    expect(terminated.tdTarget(0)).toBe(0.3);

    const timeAware = new DqnAgent(args({ features: ['value', 'timeLeft'] }), agentCtx());
    timeAware.learn(transition({ value: 0.8, timeLeft: 0 }, 0.8, 0.3, { nextObservation: null, truncated: true }));
    expect(timeAware.tdTarget(0)).toBe(0.3);

    const myopic = new DqnAgent(args({ discount: 'auto' }), agentCtx());
    expect(myopic.discount).toBe(0);
    myopic.learn(transition({ value: 0.8 }, 0.8, 0.3));
    expect(myopic.tdTarget(0)).toBe(0.3);
  });

  it('scales the reward by the mean value acted on (here the value scale, 2)', () => {
    const dqn = new DqnAgent(args(), agentCtx({ valueScale: 2 }));
    dqn.learn(transition({ value: 0.8 }, 0.8, 0.3, { terminated: true }));
    expect(dqn.tdTarget(0)).toBeCloseTo(0.15, 12);
  });
});

describe('DqnAgent trainEvery', () => {
  it('counts stored transitions (auctions with a positive value), not auctions', () => {
    const dqn = new DqnAgent(args({ warmup: 1, trainEvery: 3, batchSize: 2 }), agentCtx());
    const before = JSON.stringify(dqn.online.weights());
    const changed = () => JSON.stringify(dqn.online.weights()) !== before;
    dqn.learn(transition({ value: 0.8 }, 0.8, 0.3, { terminated: true }));
    dqn.learn(transition({ value: 0 }, 0, 0, { terminated: true })); // zero value: not stored, not counted
    dqn.learn(transition({ value: 0.6 }, 0, -0.1, { terminated: true }));
    expect(changed()).toBe(false);
    dqn.learn(transition({ value: 0.7 }, 0.7, 0.2, { terminated: true }));
    expect(changed()).toBe(true);
  });
});

describe('DqnAgent refitHead (the output layer by least squares on the replay buffer)', () => {
  /** Transitions on values x_i, alternating bids of 0 (action 0) and of the value (action 1), rewards linear in x by action. */
  function fill(dqn: DqnAgent, n: number): { x: number; a: number; r: number }[] {
    const rows = [];
    for (let i = 0; i < n; i++) {
      const x = 0.05 + (0.9 * i) / (n - 1);
      const a = i % 2;
      const r = a === 0 ? 0.1 - 0.3 * x : 0.2 + 0.5 * x;
      dqn.learn(transition({ value: x }, a === 0 ? 0 : x, r, { terminated: true }));
      rows.push({ x, a, r });
    }
    return rows;
  }

  it('fits each output to the targets of the transitions that carry one, the hidden layers untouched', () => {
    const dqn = new DqnAgent(args({ discount: 0, replaySize: 64 }), agentCtx());
    handNetworks(dqn);
    const hidden = JSON.stringify([dqn.online.w[0], dqn.online.b[0]].map((a) => Array.from(a!)));
    fill(dqn, 40);
    dqn.refitHead();
    expect(JSON.stringify([dqn.online.w[0], dqn.online.b[0]].map((a) => Array.from(a!)))).toBe(hidden);
    // φ = [x, 1 − x, 1] spans every linear function of x: the fit is exact but for the ridge's pull (a thousandth).
    for (const x of [0.1, 0.5, 0.9]) {
      const q = dqn.online.forward(new Float64Array([x]));
      expect(q[0]!).toBeCloseTo(0.1 - 0.3 * x, 2);
      expect(q[1]!).toBeCloseTo(0.2 + 0.5 * x, 2);
      // Before the refit (a, b) = (1, 2): Q = [x, 2(1 − x)], far from these.
    }
  });

  it('keeps the weights of an output with fewer transitions than weights', () => {
    const dqn = new DqnAgent(args({ discount: 0, replaySize: 64 }), agentCtx());
    handNetworks(dqn);
    // Three transitions, two of action 0 and one of action 1: φ has 3 weights, so neither output is refitted.
    fill(dqn, 3);
    dqn.refitHead();
    expect(Array.from(dqn.online.w[1]!)).toEqual([1, 0, 0, 2]);
    fill(dqn, 6); // action 0: 2 + 3 = 5 rows, action 1: 1 + 3 = 4 rows
    dqn.refitHead();
    expect(Array.from(dqn.online.w[1]!)).not.toEqual([1, 0, 0, 2]);
  });

  it('runs at the end of a training episode that took gradient steps, and not with refitHead false', () => {
    for (const refitHead of [true, false]) {
      const dqn = new DqnAgent(args({ discount: 0, replaySize: 64, warmup: 1, trainEvery: 1, batchSize: 2, refitHead }), agentCtx());
      fill(dqn, 20);
      const before = JSON.stringify(dqn.online.weights());
      dqn.training = false;
      dqn.endEpisode();
      expect(JSON.stringify(dqn.online.weights())).toBe(before); // not while evaluating
      dqn.training = true;
      dqn.endEpisode();
      const after = dqn.online.weights();
      expect(JSON.stringify(after.w[0])).toBe(JSON.stringify(JSON.parse(before).w[0])); // the hidden layer as trained
      expect(JSON.stringify(after) !== before).toBe(refitHead);
    }
  });

  it('is on by default with full information and no budget, off otherwise (auto)', () => {
    expect(new DqnAgent(args({ refitHead: 'auto', counterfactual: true }), agentCtx()).refit).toBe(true);
    expect(new DqnAgent(args({ refitHead: 'auto', counterfactual: false }), agentCtx()).refit).toBe(false);
    expect(new DqnAgent(args({ refitHead: 'auto', counterfactual: true }), agentCtx({ slots: 2 })).refit).toBe(false);
    expect(new DqnAgent(args({ refitHead: 'auto', counterfactual: true }), agentCtx({ budget: 10 })).refit).toBe(false);
    expect(new DqnAgent(args({ refitHead: true }), agentCtx({ budget: 10 })).refit).toBe(true);
    expect(dqnSchema.parse({ kind: 'dqn' }).refitHead).toBe('auto');
  });
});
