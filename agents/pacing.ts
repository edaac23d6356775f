/**
 * Budget pacing: bids `value / (1 + μ)` and moves the multiplier μ so that the
 * budget is spent evenly over the episode.
 *
 * The update is the dual (sub)gradient step of adaptive pacing (Balseiro & Gur,
 * "Learning in Repeated Auctions with Budgets", 2019, Algorithm 1):
 *   μ ← clip(μ + ε · (spent_t − ρ), 0, μ_max)
 * where ρ is the target spend per auction. We work in fractions of the budget and
 * of the episode, read off the observation (`budgetLeft`, `timeLeft`), so the
 * policy needs nothing but its observations: spent_t − ρ becomes the change in the
 * spent fraction minus the change in the elapsed fraction since the last auction,
 * and ε = `rate` × horizon. Without a budget μ stays 0 (truthful).
 */
import { OBS } from '../env/observation.js';
import type { Rng } from '../env/rng.js';
import type { Agent, AgentContext, Observation, Policy, PolicyParams, Transition } from './core.js';

/** Arguments of the pacing bidder. */
export interface PacingArgs {
  /** Step size of the multiplier per unit of relative overspend (default 0.005). */
  rate: number;
  /** Largest multiplier μ (bids never fall below value / (1 + μ_max)). */
  maxMultiplier: number;
}

/** The pacing rule; its state (μ) lives in the policy and restarts with each episode. */
export class PacingPolicy implements Policy {
  readonly kind = 'pacing';
  private mu = 0;
  private prevBudgetLeft = 1;
  private prevTimeLeft = 2;
  /**
   * @param args step size and cap
   * @param horizon auctions per episode (scales the step to the size of one auction)
   */
  constructor(readonly args: PacingArgs, readonly horizon: number) {}

  /** Current multiplier μ. */
  get multiplier(): number {
    return this.mu;
  }

  bid(o: Observation): number {
    const budgetLeft = o[OBS.budgetLeft]!;
    const timeLeft = o[OBS.timeLeft]!;
    if (timeLeft > this.prevTimeLeft) {
      // A new episode: start again from truthful bidding.
      this.mu = 0;
    } else {
      const spent = this.prevBudgetLeft - budgetLeft;
      const elapsed = this.prevTimeLeft - timeLeft;
      const step = this.args.rate * this.horizon * (spent - elapsed);
      this.mu = Math.min(this.args.maxMultiplier, Math.max(0, this.mu + step));
    }
    this.prevBudgetLeft = budgetLeft;
    this.prevTimeLeft = timeLeft;
    return o[OBS.value]! / (1 + this.mu);
  }

  params(): PolicyParams {
    return { rate: this.args.rate, maxMultiplier: this.args.maxMultiplier, horizon: this.horizon };
  }
}

/** Budget-pacing bidder. @example new PacingAgent({ rate: 0.005, maxMultiplier: 20 }, ctx) */
export class PacingAgent implements Agent {
  readonly kind = 'pacing';
  training = true;
  private readonly live: PacingPolicy;
  constructor(readonly args: PacingArgs, readonly ctx: Pick<AgentContext, 'auctionsPerEpisode'>) {
    this.live = new PacingPolicy(args, ctx.auctionsPerEpisode);
  }
  act(o: Observation, _rng: Rng): number {
    return this.live.bid(o);
  }
  learn(_t: Transition): void {}
  endEpisode(): void {}
  /** A fresh copy of the rule (its multiplier restarts at 0, as at the start of an episode). */
  policy(): Policy {
    return new PacingPolicy(this.args, this.ctx.auctionsPerEpisode);
  }
}
