/**
 * The adaptive-pacing bidder, a baseline that does not learn across auctions
 * (not to be confused with learner/budget-pacer.ts, the price of money of the
 * learning bidders). Budget pacing: bids `value / (1 + μ)` and moves the multiplier μ so that the
 * budget is spent evenly over the episode.
 *
 * The update is the dual (sub)gradient step of adaptive pacing (Balseiro & Gur,
 * "Learning in Repeated Auctions with Budgets", 2019, Algorithm 1):
 *   μ ← clip(μ + ε · (spent_t − ρ), μ_min, μ_max)
 * where ρ is the target spend per auction. We work in fractions of the budget and
 * of the episode, read off the observation (`budgetLeft`, `timeLeft`), so the
 * policy needs nothing but its observations: spent_t − ρ becomes the change in the
 * spent fraction minus the change in the elapsed fraction since the last auction,
 * and ε = `rate` × √horizon (the O(1/√T) step of the paper, in these units).
 * Without a budget μ stays 0 (truthful). The controller's floor μ_min (default
 * −0.2) is below 0 while the bid uses max(μ, 0), so bids never exceed the value:
 * with a floor at 0 the mean μ of an episode (the next μ₀) is biased upwards
 * whenever the budget is close to what truthful bidding would spend (the
 * downward moves are cut off, the upward ones are not) and the budget is left
 * unspent (docs/agents.md, the learner matrix); below 0 the controller keeps
 * count of how far it lags instead.
 *
 * Each episode starts from μ₀, which the agent learns across training episodes:
 * the mean μ of the last training episode (tight budgets need a large μ from the
 * first auction on; starting each day from truthful bidding would spend much of
 * the budget before the controller caught up).
 */
import { z } from 'zod';
import { OBS } from '../env/observation.js';
import type { Rng } from '../env/rng.js';
import type { Agent, AgentContext, Observation, Policy, PolicyParams, Transition } from './core.js';

/** `pacing`: adaptive pacing of the budget, bid = value / (1 + μ). */
export const pacingSchema = z
  .object({
    kind: z.literal('pacing'),
    rate: z.number().positive().default(0.5).describe('step size of the pacing multiplier: μ moves by rate × √horizon × (share of budget spent − share of time elapsed) per auction'),
    maxMultiplier: z.number().positive().default(20).describe('largest pacing multiplier μ'),
    minMultiplier: z.number().gt(-1).max(0).default(-0.2).describe('floor of the controller’s μ (bids use max(μ, 0), never above the value; below 0 the controller keeps count of how far it lags behind schedule, so that its mean μ, the next episode’s start, is not biased upwards)'),
  })
  .strict();

/** Arguments of the pacing bidder: `rate` (the step per auction scales with √horizon) and `maxMultiplier` (bids never fall below value / (1 + μ_max)). */
export type PacingArgs = Omit<z.output<typeof pacingSchema>, 'kind' | 'minMultiplier'> & { minMultiplier?: number };

/** The pacing rule; its state (μ) lives in the policy and restarts from μ₀ with each episode. */
export class PacingPolicy implements Policy {
  readonly kind = 'pacing';
  private mu: number;
  private prevBudgetLeft = 1;
  private prevTimeLeft = 2;
  /** Σ μ and count over the current episode (for the agent's next μ₀). */
  muSum = 0;
  muCount = 0;
  /**
   * @param args step size and cap
   * @param horizon auctions per episode (scales the step to the size of one auction)
   * @param initialMultiplier μ₀, the multiplier each episode starts from (≥ 0)
   */
  constructor(
    readonly args: PacingArgs,
    readonly horizon: number,
    readonly initialMultiplier = 0,
  ) {
    this.mu = initialMultiplier;
  }

  /** Current multiplier μ. */
  get multiplier(): number {
    return this.mu;
  }

  bid(o: Observation): number {
    const budgetLeft = o[OBS.budgetLeft]!;
    const timeLeft = o[OBS.timeLeft]!;
    if (timeLeft > this.prevTimeLeft) {
      // A new episode: start again from μ₀.
      this.mu = this.initialMultiplier;
      this.muSum = 0;
      this.muCount = 0;
    } else {
      const spent = this.prevBudgetLeft - budgetLeft;
      const elapsed = this.prevTimeLeft - timeLeft;
      const step = this.args.rate * Math.sqrt(this.horizon) * (spent - elapsed);
      this.mu = Math.min(this.args.maxMultiplier, Math.max(this.args.minMultiplier ?? 0, this.mu + step));
    }
    this.prevBudgetLeft = budgetLeft;
    this.prevTimeLeft = timeLeft;
    this.muSum += this.mu;
    this.muCount++;
    // μ < 0 (behind schedule) bids the value: the controller's deficit, not an overbid.
    return o[OBS.value]! / (1 + (this.mu > 0 ? this.mu : 0));
  }

  params(): PolicyParams {
    return {
      rate: this.args.rate,
      maxMultiplier: this.args.maxMultiplier,
      ...(this.args.minMultiplier ? { minMultiplier: this.args.minMultiplier } : {}),
      horizon: this.horizon,
      initialMultiplier: this.initialMultiplier,
    };
  }
}

/** Budget-pacing bidder. @example new PacingAgent({ rate: 0.5, maxMultiplier: 20 }, ctx) */
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
    if (this.training && this.live.muCount > 0) {
      this.live = new PacingPolicy(this.args, this.ctx.auctionsPerEpisode, this.live.muSum / this.live.muCount);
    }
  }
  /** A fresh copy of the rule, starting each episode from the learnt μ₀. */
  policy(): Policy {
    return new PacingPolicy(this.args, this.ctx.auctionsPerEpisode, this.live.initialMultiplier);
  }
}
