/** The frozen learner policies (agents/frozen.ts): bid = greedy multiplier × value / λ(o), from hand-set parameters. */
import { describe, expect, it } from 'vitest';
import { encoderSpec } from '../../agents/features.js';
import { LinearArmPolicy, NetworkPolicy, TablePolicy } from '../../agents/frozen.js';
import { observationFrom } from '../../env/observation.js';

const spec = encoderSpec(['value'], 1);
const multipliers = [0.5, 1];

describe('TablePolicy', () => {
  // Two states (value below / above 0.75), two multipliers.
  const grid = { buckets: [2], low: [0], high: [1.5] };
  const q = Float64Array.of(1, 0, 0, 2);

  it('bids the best multiplier of the observation’s state', () => {
    const p = new TablePolicy('q-learning', spec, grid, multipliers, q);
    expect(p.bid(observationFrom({ value: 0.5 }))).toBe(0.25);
    expect(p.bid(observationFrom({ value: 1 }))).toBe(1);
    expect(p.params()).toMatchObject({ multipliers, q: [1, 0, 0, 2], pacer: null });
  });

  it('with a pacer scores the paced value in units of λ₀, v′ = v λ₀ / λ(o), and bids its action on v′ divided by λ₀', () => {
    const p = new TablePolicy('q-learning', spec, grid, multipliers, q, { logLambda0: Math.log(2), gain: 1 });
    // On schedule (λ = λ₀ = 2): v′ = 1, the high state, multiplier 1 → bid 1 / 2.
    expect(p.bid(observationFrom({ value: 1, budgetLeft: 0.5, timeLeft: 0.5 }))).toBeCloseTo(0.5, 14);
    // Ahead of schedule by 0.7 (λ = 2 e^0.7): v′ = e^−0.7 ≈ 0.50, the low state, multiplier 0.5 → bid 0.5 × v / λ.
    expect(p.bid(observationFrom({ value: 1, budgetLeft: 0.1, timeLeft: 0.8 }))).toBeCloseTo(0.5 / (2 * Math.exp(0.7)), 14);
  });

  it('bids a bid level capped at the value (the actions after the multipliers)', () => {
    const p = new TablePolicy('q-learning', spec, grid, multipliers, Float64Array.of(0, 0, 1, 0, 0, 1), null, [0.3]);
    expect(p.bid(observationFrom({ value: 0.5 }))).toBe(0.3);
    expect(p.bid(observationFrom({ value: 0.2 }))).toBe(0.2);
    expect(p.params()).toMatchObject({ multipliers, levels: [0.3] });
  });

  it('with a pacer bids a level min(ℓ, v) / λ(o) when the file says pacedLevels, min(ℓ, v′) / λ₀ when not (files before it)', () => {
    // One state, the level action (index 2) greedy; λ₀ = 1, behind schedule λ = λ_min = 0.5.
    const one = { buckets: [1], low: [0], high: [1.5] };
    const pacer = { logLambda0: 0, gain: 1, minLogLambda: Math.log(0.5), rule: 'ratio' as const };
    const qs = Float64Array.of(0, 0, 1);
    const behind = observationFrom({ value: 1, budgetLeft: 0.9, timeLeft: 0.1 });
    expect(new TablePolicy('q-learning', spec, one, multipliers, qs, { ...pacer, pacedLevels: true }, [0.3]).bid(behind)).toBeCloseTo(0.6, 14);
    expect(new TablePolicy('q-learning', spec, one, multipliers, qs, pacer, [0.3]).bid(behind)).toBeCloseTo(0.3, 14);
    // Capped at the value either way: level 0.8 on v = 0.2 → v / λ = 0.4.
    const low = observationFrom({ value: 0.2, budgetLeft: 0.9, timeLeft: 0.1 });
    expect(new TablePolicy('q-learning', spec, one, multipliers, qs, { ...pacer, pacedLevels: true }, [0.8]).bid(low)).toBeCloseTo(0.4, 14);
    expect(new TablePolicy('q-learning', spec, one, multipliers, qs, pacer, [0.8]).bid(low)).toBeCloseTo(0.4, 14);
  });

  it('refuses a Q-table of the wrong size', () => {
    expect(() => new TablePolicy('q-learning', spec, grid, multipliers, new Float64Array(3))).toThrow(/expected 2 states × 2 actions/);
  });
});

describe('NetworkPolicy', () => {
  it('bids the multiplier of the largest network output', () => {
    // Outputs [x, 1 − x] (no hidden layer): multiplier 1 when x < 0.5.
    const net = { sizes: [1, 2], activation: 'relu' as const, w: [[1, -1]], b: [[0, 1]] };
    const p = new NetworkPolicy('dqn', spec, multipliers, net);
    expect(p.bid(observationFrom({ value: 0.4 }))).toBe(0.4);
    expect(p.bid(observationFrom({ value: 0.8 }))).toBe(0.4);
    expect(() => new NetworkPolicy('dqn', spec, [0, 0.5, 1], net)).toThrow(/expected 3 outputs/);
  });
});

describe('LinearArmPolicy', () => {
  it('bids the multiplier whose reward model θ_a · [1, x, x²] is largest', () => {
    // arm 0: 0.1 + 0·x; arm 1: −0.1 + 0.5·x
    const p = new LinearArmPolicy('linucb', spec, 2, multipliers, [[0.1, 0, 0], [-0.1, 0.5, 0]]);
    expect(p.bid(observationFrom({ value: 0.2 }))).toBe(0.1);
    expect(p.bid(observationFrom({ value: 0.6 }))).toBe(0.6);
    expect(() => new LinearArmPolicy('linucb', spec, 2, multipliers, [[0.1, 0], [0, 0]])).toThrow(/theta\[0\]: expected 3 coefficients/);
  });
});
