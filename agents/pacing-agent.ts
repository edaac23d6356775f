/**
 * The adaptive-pacing bidder, a baseline that does not learn across auctions
 * (not to be confused with learner/budget-pacer.ts, the price of money of the
 * learning bidders). Budget pacing: bids `value / (1 + μ)` and moves the
 * multiplier μ so that the budget is spent by the end of the episode.
 *
 * The update is the dual step of adaptive pacing (Balseiro & Gur, "Learning in
 * Repeated Auctions with Budgets", 2019, Algorithm 1), read off the observation
 * (`budgetLeft`, `timeLeft`: fractions of the budget and of the episode), in one
 * of two forms (`rule`):
 *
 * - `ratio` (the default): multiplicative, with the target rate re-solved from
 *   what is left. Between two auctions log(1 + μ) moves by
 *   gain × (ln((b' + δ)/(b + δ)) − ln((t' + δ)/(t + δ))) (b', t' the budget and
 *   time left at the previous auction, b, t now, δ = 0.01): the share of the
 *   *remaining* budget spent minus the share of the *remaining* time elapsed. A
 *   bidder that fell behind (or ahead) does not have to make the lag up at a
 *   multiplier held away from the right one: the rate it aims at is what is
 *   left over the time that is left. Unclipped, 1 + μ = (1 + μ₀) ·
 *   ((t + δ)/(b + δ))^gain, a pure function of the observation; the clip to
 *   [μ_min, μ_max] keeps it from winding up.
 * - `difference` (the paper's additive step; policy files written before
 *   `ratio` existed): μ ← clip(μ + ε · (spent_t − ρ)), spent_t − ρ being the
 *   change in the spent fraction minus the change in the elapsed fraction, ε =
 *   `rate` × √horizon; bids use max(μ, 0).
 *
 * The controller's floor μ_min (default −0.2) is below 0. With `ratio` a bidder
 * behind its schedule bids up to value / (1 + μ_min) = 1.25 × value, so that a
 * budget that truthful bidding would not spend on this episode's auctions is
 * spent (the competitive ratio counts value won: the hindsight optimum spends
 * the whole budget); with `difference` bids never exceed the value and μ < 0
 * only keeps count of the lag.
 *
 * Each episode starts from μ₀, which the agent learns across training episodes:
 * the mean of the last training episode (of log(1 + μ) with `ratio`, of μ with
 * `difference`).
 */
import { z } from 'zod';
import { OBS } from '../env/observation.js';
import type { Rng } from '../env/rng.js';
import type { Agent, AgentContext, Observation, Policy, PolicyParams, Transition } from './core.js';

/** δ of the ratio rule: keeps the logarithms finite when the budget or the time is gone. */
export const PACING_SMOOTHING = 0.01;

/** `pacing`: adaptive pacing of the budget, bid = value / (1 + μ). */
export const pacingSchema = z
  .object({
    kind: z.literal('pacing'),
    rule: z.enum(['ratio', 'difference']).default('ratio').describe('how μ follows the budget: ratio (log(1 + μ) moves by gain × (share of the remaining budget spent − share of the remaining time elapsed)) or difference (the additive step of Balseiro & Gur: μ moves by rate × √horizon × (share of budget spent − share of time elapsed))'),
    gain: z.number().positive().max(100).default(1).describe('rule ratio: gain of log(1 + μ) on the share of the remaining budget spent minus the share of the remaining time elapsed'),
    rate: z.number().positive().default(0.5).describe('rule difference: step size of the pacing multiplier: μ moves by rate × √horizon × (share of budget spent − share of time elapsed) per auction'),
    maxMultiplier: z.number().positive().default(20).describe('largest pacing multiplier μ'),
    minMultiplier: z.number().gt(-1).max(0).default(-0.2).describe('floor of the controller’s μ (rule ratio: a bidder behind schedule bids up to value / (1 + μ_min); rule difference: bids use max(μ, 0), never above the value, and below 0 the controller keeps count of how far it lags)'),
  })
  .strict();

/** Arguments of the pacing bidder (`rule` absent: difference, as in policy files written before the ratio rule). */
export type PacingArgs = { rate?: number; gain?: number; rule?: 'ratio' | 'difference'; maxMultiplier: number; minMultiplier?: number };

/** The pacing rule; its state (μ) lives in the policy and restarts from μ₀ with each episode. */
export class PacingPolicy implements Policy {
  readonly kind = 'pacing';
  private mu: number;
  private prevBudgetLeft = 1;
  /** timeLeft of the last bid; NaN before the first one (the first bid of a fresh policy starts an episode too). */
  private prevTimeLeft = NaN;
  readonly ratio: boolean;
  /** Σ of μ (difference) or of log(1 + μ) (ratio), and count, over the current episode (for the agent's next μ₀). */
  muSum = 0;
  muCount = 0;
  /**
   * @param args rule, gain or step size, and bounds
   * @param horizon auctions per episode (scales the step of the difference rule)
   * @param initialMultiplier μ₀, the multiplier each episode starts from
   */
  constructor(
    readonly args: PacingArgs,
    readonly horizon: number,
    readonly initialMultiplier = 0,
  ) {
    this.mu = initialMultiplier;
    this.ratio = args.rule === 'ratio';
  }

  /** Current multiplier μ. */
  get multiplier(): number {
    return this.mu;
  }

  /** The episode's next μ₀ from this episode's sums (null: no auction). */
  meanMultiplier(): number | null {
    if (this.muCount === 0) return null;
    const m = this.muSum / this.muCount;
    return this.ratio ? Math.exp(m) - 1 : m;
  }

  bid(o: Observation): number {
    const budgetLeft = o[OBS.budgetLeft]!;
    const timeLeft = o[OBS.timeLeft]!;
    const lo = this.args.minMultiplier ?? 0;
    if (!(timeLeft <= this.prevTimeLeft)) {
      // A new episode (time went up, or this is the policy's first bid): start again from μ₀.
      this.mu = this.initialMultiplier;
      this.muSum = 0;
      this.muCount = 0;
    } else if (this.ratio) {
      const d = PACING_SMOOTHING;
      const step = this.args.gain! * (Math.log((this.prevBudgetLeft + d) / (budgetLeft + d)) - Math.log((this.prevTimeLeft + d) / (timeLeft + d)));
      const x = Math.log1p(this.mu) + step;
      this.mu = Math.min(this.args.maxMultiplier, Math.max(lo, Math.expm1(x)));
    } else {
      const spent = this.prevBudgetLeft - budgetLeft;
      const elapsed = this.prevTimeLeft - timeLeft;
      const step = this.args.rate! * Math.sqrt(this.horizon) * (spent - elapsed);
      this.mu = Math.min(this.args.maxMultiplier, Math.max(lo, this.mu + step));
    }
    this.prevBudgetLeft = budgetLeft;
    this.prevTimeLeft = timeLeft;
    this.muSum += this.ratio ? Math.log1p(this.mu) : this.mu;
    this.muCount++;
    // difference: μ < 0 (behind schedule) bids the value, the controller's deficit, not an overbid.
    return o[OBS.value]! / (1 + (this.ratio || this.mu > 0 ? this.mu : 0));
  }

  params(): PolicyParams {
    const a = this.args;
    return {
      ...(this.ratio ? { rule: 'ratio', gain: a.gain! } : { rate: a.rate! }),
      maxMultiplier: a.maxMultiplier,
      ...(a.minMultiplier ? { minMultiplier: a.minMultiplier } : {}),
      horizon: this.horizon,
      initialMultiplier: this.initialMultiplier,
    };
  }
}

/** Budget-pacing bidder. @example new PacingAgent({ rule: 'ratio', gain: 1, maxMultiplier: 20 }, ctx) */
export class PacingAgent implements Agent {
  readonly kind = 'pacing';
  training = true;
  private live: PacingPolicy;
  constructor(readonly args: PacingArgs, readonly ctx: Pick<AgentContext, 'auctionsPerEpisode'>) {
    this.live = new PacingPolicy(args, ctx.auctionsPerEpisode);
  }
  act(o: Observation, _rng: Rng): number {
    return this.live.bid(o);
  }
  learn(_t: Transition): void {}
  /** After a training episode, the next episodes start from that episode's mean μ. */
  endEpisode(): void {
    const mu0 = this.training ? this.live.meanMultiplier() : null;
    if (mu0 !== null) this.live = new PacingPolicy(this.args, this.ctx.auctionsPerEpisode, mu0);
  }
  /** A fresh copy of the rule, starting each episode from the learnt μ₀. */
  policy(): Policy {
    return new PacingPolicy(this.args, this.ctx.auctionsPerEpisode, this.live.initialMultiplier);
  }
}
