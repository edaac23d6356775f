import { describe, expect, it } from 'vitest';
import { batch, box, checkEnv, checkVectorEnv, makeEnv, rng } from '../../index.js';

/** A small market with users, like the quickstart but quick to step. */
const config = {
  name: 'vector-test',
  auctionsPerEpisode: 60,
  users: { count: 200, topics: 4, historyLength: 5 },
  exchange: { mechanism: 'second-price', reservePrice: 0.005 },
  bidders: [
    { id: 'me', agent: { kind: 'truthful' }, value: { kind: 'per-click', amount: 2 }, budget: 0.5 },
    { id: 'shaded', agent: { kind: 'shaded', factor: 0.7 }, value: { kind: 'per-click', amount: 2 } },
    { id: 'rival', copies: 2, agent: { kind: 'truthful' }, value: { kind: 'per-click', amount: 1.5 } },
  ],
};

describe('checkEnv on the three envs makeEnv builds', () => {
  it('passes on bidgym/Market-v0, bidgym/Bidding-v0 and bidgym/VectorBidding-v0', () => {
    checkEnv(makeEnv('bidgym/Market-v0', { config }), 150);
    checkEnv(makeEnv('bidgym/Bidding-v0', { config, learner: 'me' }), 150);
    checkEnv(makeEnv('bidgym/VectorBidding-v0', { config, learner: 'me', num: 3 }), 150);
  });

  it('catches a vector env whose observations are not one per copy', () => {
    const env = makeEnv('bidgym/VectorBidding-v0', { config, num: 2 });
    const flat = {
      id: env.id, num: env.num, singleObservationSpace: env.singleObservationSpace, singleActionSpace: env.singleActionSpace,
      observationSpace: env.observationSpace, actionSpace: env.actionSpace, close: () => env.close(),
      reset: (o?: { seed?: number }) => ({ observations: [env.reset(o).observations[0]!], infos: [] }),
      step: (a: Float64Array[]) => env.step(a),
    };
    expect(() => checkVectorEnv(flat, 20)).toThrow(/reset\(\) observations has 1 entries for 2 copies/);
  });
});

describe('bidgym/VectorBidding-v0', () => {
  it('says how many copies it has and returns one observation per copy, in its own batched space', () => {
    const env = makeEnv('bidgym/VectorBidding-v0', { config, learner: 'me', num: 4 });
    expect(env.num).toBe(4);
    expect(env.observationSpace.n).toBe(4);
    expect(env.observationSpace.single).toBe(env.singleObservationSpace);
    const { observations, infos } = env.reset({ seed: 3 });
    expect(observations).toHaveLength(4);
    expect(infos).toHaveLength(4);
    for (const o of observations) expect(env.singleObservationSpace.contains(o)).toBe(true);
    expect(env.observationSpace.contains(observations)).toBe(true);
    expect(env.observationSpace.contains(observations.slice(1))).toBe(false);
    // copy i is seeded with seed + i: the copies differ from each other
    expect(new Set(observations.map((o) => o.join(','))).size).toBeGreaterThan(1);
    const s = env.step(observations.map((o) => o[0]! * 0.5));
    expect(s.observations).toHaveLength(4);
    expect(s.rewards).toHaveLength(4);
    expect(s.terminations.every((x) => typeof x === 'boolean')).toBe(true);
  });

  it('resets a copy on the step after its episode ended (next-step autoreset)', () => {
    const env = makeEnv('bidgym/VectorBidding-v0', { config, learner: 'me', num: 2 });
    env.reset({ seed: 1 });
    let ended = -1;
    for (let t = 0; t < 500 && ended < 0; t++) {
      const s = env.step([10, 0]); // copy 0 bids high and spends its budget; copy 1 bids nothing
      if (s.terminations[0] || s.truncations[0]) ended = t;
    }
    expect(ended).toBeGreaterThanOrEqual(0);
    const next = env.step([0, 0]);
    expect(next.infos[0]!.reset).toBe(true);
    expect(next.rewards[0]).toBe(0);
    expect(next.infos[0]!.budgetLeft).toBe(0.5);
  });

  it('refuses a wrong number of actions', () => {
    const env = makeEnv('bidgym/VectorBidding-v0', { config, num: 3 });
    env.reset({ seed: 1 });
    expect(() => env.step([1, 2])).toThrow(/expected 3 actions, got 2/);
  });
});

describe('close()', () => {
  it('every env has close(); reset() and step() afterwards throw', () => {
    const market = makeEnv('bidgym/Market-v0', { config });
    const bidding = makeEnv('bidgym/Bidding-v0', { config });
    const vector = makeEnv('bidgym/VectorBidding-v0', { config, num: 2 });
    market.reset({ seed: 1 });
    bidding.reset({ seed: 1 });
    vector.reset({ seed: 1 });
    market.close();
    bidding.close();
    vector.close();
    expect(() => market.reset()).toThrow(/after close/);
    expect(() => bidding.step([0.1])).toThrow(/after close/);
    expect(() => vector.step([0.1, 0.1])).toThrow(/after close/);
    for (const e of vector.envs) expect(() => e.reset()).toThrow(/after close/);
  });
});

describe('batch space', () => {
  it('contains exactly n members of the single space and samples n of them', () => {
    const b = batch(box({ low: [0], high: [1] }), 3);
    const x = b.sample(rng(1));
    expect(x).toHaveLength(3);
    expect(b.contains(x)).toBe(true);
    expect(b.contains([[0.5], [0.5]])).toBe(false);
    expect(b.contains([[0.5], [2], [0.5]])).toBe(false);
    expect(() => batch(box({ low: [0], high: [1] }), 0)).toThrow(/positive integer/);
  });
});
