/**
 * Adaptive pacing (agents/pacing-agent.ts), hand-computed step by step: the
 * ratio rule (the default), log(1 + μ) moved by gain × (ln((b' + δ)/(b + δ)) −
 * ln((t' + δ)/(t + δ))) within [μ_min, μ_max], bids value / (1 + μ); the
 * difference rule of older policy files, μ ← clip(μ + rate · √horizon ·
 * (spent − elapsed), 0, μ_max); the first bid of a fresh policy starting from
 * μ₀; μ₀ learnt across training episodes.
 */
import { describe, expect, it } from 'vitest';
import { PacingAgent, PacingPolicy, pacingSchema } from '../../agents/pacing-agent.js';
import { observationFrom } from '../../env/observation.js';
import { rng } from '../../env/rng.js';

const args = { rule: 'difference' as const, rate: 0.5, maxMultiplier: 3 };
const ratio = { rule: 'ratio' as const, gain: 1, maxMultiplier: 3, minMultiplier: -0.2 };
const d = 0.01;
const obs = (budgetLeft: number, timeLeft: number, value = 1) => observationFrom({ value, budgetLeft, timeLeft });

describe('PacingPolicy', () => {
  it('difference rule: moves μ by rate · √horizon · (share of budget spent − share of time elapsed) per auction', () => {
    // horizon 100: ε = 0.5 × 10 = 5.
    const p = new PacingPolicy(args, 100);
    expect(p.bid(obs(1, 1))).toBe(1); // first auction: μ = μ₀ = 0
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

  it('starts the first bid of a fresh policy from μ₀ (both rules), whatever the time left', () => {
    // A fresh policy used to take its first bid for a step from "time left 2" and drop μ to its floor.
    expect(new PacingPolicy(args, 100, 0.7).bid(obs(1, 0.99))).toBeCloseTo(1 / 1.7, 12);
    expect(new PacingPolicy(ratio, 100, 0.7).bid(obs(1, 0.99))).toBeCloseTo(1 / 1.7, 12);
    const late = new PacingPolicy(ratio, 100, 0.7);
    late.bid(obs(0.9, 0.5));
    expect(late.multiplier).toBe(0.7);
  });

  it('ratio rule: moves log(1 + μ) by gain × the share of the remaining budget spent minus the share of the remaining time elapsed', () => {
    const p = new PacingPolicy(ratio, 100, 0.5);
    expect(p.bid(obs(1, 1))).toBeCloseTo(1 / 1.5, 12);
    // budget 1 → 0.8 while time 1 → 0.9: 1 + μ = 1.5 × ((1 + δ)/(0.8 + δ)) / ((1 + δ)/(0.9 + δ)) = 1.5 × 0.91 / 0.81
    const m1 = 1.5 * ((0.9 + d) / (0.8 + d));
    expect(p.bid(obs(0.8, 0.9))).toBeCloseTo(1 / m1, 12);
    expect(p.multiplier).toBeCloseTo(m1 - 1, 12);
    // Far behind schedule (nothing spent, time 0.9 → 0.1): 1 + μ would be m1 × 0.11 / 0.91 < 0.8, so μ = μ_min and the bid is value / 0.8.
    expect(p.bid(obs(0.8, 0.1, 2))).toBeCloseTo(2 / 0.8, 12);
    expect(p.multiplier).toBe(-0.2);
    // A big overspend is capped at μ_max.
    p.bid(obs(0.01, 0.09));
    expect(p.multiplier).toBe(3);
    expect(p.params()).toEqual({ rule: 'ratio', gain: 1, maxMultiplier: 3, minMultiplier: -0.2, horizon: 100, initialMultiplier: 0.5 });
  });

  it('ratio rule, unclipped: 1 + μ = (1 + μ₀) × ((t + δ)/(b + δ))^gain whatever the path', () => {
    const p = new PacingPolicy({ ...ratio, gain: 2, maxMultiplier: 100 }, 100, 1);
    p.bid(obs(1, 1));
    p.bid(obs(0.7, 0.95));
    p.bid(obs(0.65, 0.8));
    p.bid(obs(0.6, 0.7));
    expect(1 + p.multiplier).toBeCloseTo(2 * ((0.7 + d) / (0.6 + d)) ** 2, 10);
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

  it('ratio rule: the next μ₀ is the episode’s geometric mean of 1 + μ, minus 1', () => {
    const agent = new PacingAgent(ratio, { auctionsPerEpisode: 100 });
    const r = rng(1);
    agent.act(obs(1, 1), r); // 1 + μ = 1
    agent.act(obs(0.8, 0.9), r); // 1 + μ = 0.91 / 0.81
    agent.endEpisode();
    expect((agent.policy() as PacingPolicy).initialMultiplier).toBeCloseTo(Math.sqrt(0.91 / 0.81) - 1, 12);
  });

  it('has the config defaults rule ratio, gain 1, μ_max 20 and μ_min −0.2 (rate 0.5 for the difference rule)', () => {
    expect(pacingSchema.parse({ kind: 'pacing' })).toEqual({ kind: 'pacing', rule: 'ratio', gain: 1, rate: 0.5, maxMultiplier: 20, minMultiplier: -0.2 });
  });
});
