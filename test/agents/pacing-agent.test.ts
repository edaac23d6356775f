/**
 * Adaptive pacing (agents/pacing-agent.ts): the multiplier update
 * μ ← clip(μ + rate · √horizon · (spent − elapsed), 0, μ_max), hand-computed
 * step by step, and μ₀ learnt across training episodes.
 */
import { describe, expect, it } from 'vitest';
import { PacingAgent, PacingPolicy, pacingSchema } from '../../agents/pacing-agent.js';
import { observationFrom } from '../../env/observation.js';
import { rng } from '../../env/rng.js';

const args = { rate: 0.5, maxMultiplier: 3 };
const obs = (budgetLeft: number, timeLeft: number, value = 1) => observationFrom({ value, budgetLeft, timeLeft });

describe('PacingPolicy', () => {
  it('moves μ by rate · √horizon · (share of budget spent − share of time elapsed) per auction', () => {
    // horizon 100: ε = 0.5 × 10 = 5.
    const p = new PacingPolicy(args, 100);
    expect(p.bid(obs(1, 1))).toBe(1); // first auction: μ = max(0, 0 + 5 × (0 − 1)) = 0
    // spent 0.1, elapsed 0.01: μ = 5 × 0.09 = 0.45; bid = 1 / 1.45
    expect(p.bid(obs(0.9, 0.99))).toBeCloseTo(1 / 1.45, 12);
    expect(p.multiplier).toBeCloseTo(0.45, 12);
    // nothing spent, 0.01 elapsed: μ = 0.45 − 0.05 = 0.4; bid = 2 / 1.4
    expect(p.bid(obs(0.9, 0.98, 2))).toBeCloseTo(2 / 1.4, 12);
    expect(p.multiplier).toBeCloseTo(0.4, 12);
    // a big overspend is capped at μ_max: 0.4 + 5 × (0.8 − 0.01) = 4.35 → 3
    expect(p.bid(obs(0.1, 0.97))).toBeCloseTo(1 / 4, 12);
    expect(p.multiplier).toBe(3);
    // lagging far behind floors μ at 0
    p.bid(obs(0.1, 0.1));
    expect(p.multiplier).toBe(0);
  });

  it('starts a new episode (time left going up) from μ₀', () => {
    const p = new PacingPolicy(args, 100, 0.7);
    p.bid(obs(0.9, 0.5));
    p.bid(obs(0.2, 0.49)); // spent 0.7, elapsed 0.01: μ grows to the cap
    expect(p.multiplier).toBe(3);
    expect(p.bid(obs(1, 1))).toBeCloseTo(1 / 1.7, 12);
    expect(p.multiplier).toBe(0.7);
    expect(p.params()).toEqual({ rate: 0.5, maxMultiplier: 3, horizon: 100, initialMultiplier: 0.7 });
  });
});

describe('PacingAgent', () => {
  it('after a training episode starts the next ones from that episode’s mean μ; evaluation episodes leave μ₀ alone', () => {
    const agent = new PacingAgent(args, { auctionsPerEpisode: 100 });
    const r = rng(1);
    const mus: number[] = [];
    const live = (o: Float64Array) => {
      agent.act(o, r);
      mus.push((agent.policy() as PacingPolicy).initialMultiplier);
    };
    live(obs(1, 1)); // μ = 0
    live(obs(0.9, 0.99)); // μ = 0.45
    live(obs(0.9, 0.98)); // μ = 0.4
    agent.endEpisode();
    const mu0 = (0 + 0.45 + 0.4) / 3;
    expect((agent.policy() as PacingPolicy).initialMultiplier).toBeCloseTo(mu0, 12);
    agent.training = false;
    agent.act(obs(0.5, 0.99), r);
    agent.endEpisode();
    expect((agent.policy() as PacingPolicy).initialMultiplier).toBeCloseTo(mu0, 12);
    expect(mus).toEqual([0, 0, 0]);
  });

  it('has the config defaults rate 0.5, μ_max 20 and μ_min −0.2', () => {
    expect(pacingSchema.parse({ kind: 'pacing' })).toEqual({ kind: 'pacing', rate: 0.5, maxMultiplier: 20, minMultiplier: -0.2 });
  });
});
