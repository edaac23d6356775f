/**
 * Budget handling shared by the learning bidders: Lagrangian pacing.
 *
 * A budget couples all the auctions of an episode: spending now leaves less for
 * later. The Lagrangian relaxation of the budget constraint decouples them
 * (Balseiro & Gur, "Learning in Repeated Auctions with Budgets", 2019): with a
 * price λ ≥ 1 on each unit of money, the best bid in each auction is the one
 * that maximises value − λ · cost, and the right λ is the one that spends the
 * budget by the end of the episode. Divided by λ, that is the problem of a
 * bidder without a budget whose value is v / λ. So a learner with a budget sees
 * the *paced* observation, whose `value` is v / λ(o) ({@link BudgetPacer.pace}):
 *
 * - it bids `m × value / λ(o)`, where m is the multiplier it learns (the shading
 *   that suits the auction format and the rivals), and
 * - it learns m from the reward `(r − (λ(o) − 1) · cost) / λ(o) = value won / λ − cost`,
 *   where r = value won − cost is the env's reward,
 *
 * exactly what it would do without a budget. λ(o) is set by a pacing rule that
 * is a pure function of the observation, so the frozen policy is too:
 *
 *   log λ(o) = max(0, log λ₀ + κ · (timeLeft − budgetLeft))
 *
 * (spending ahead of schedule raises the price of money, lagging behind lowers
 * it, never below 1). After each training episode λ₀ moves to the mean of λ(o)
 * over that episode's auctions, a fixed-point step that settles at the level
 * the market needs.
 *
 * Without a budget λ = 1 and the learner's reward is the env's reward.
 */
import { InputError } from '../../env/errors.js';
import { OBS } from '../../env/observation.js';
import type { Observation } from '../core.js';

/** Plain-data state of a {@link BudgetPacer} (what policy files store). */
export interface PacerParams {
  /** log λ₀, ≥ 0. */
  logLambda0: number;
  /** Gain κ on the gap between the time left and the budget left, ≥ 0. */
  gain: number;
}

/** The price of money λ(o) of a learner with a budget (see the file comment). */
export class BudgetPacer {
  logLambda0: number;
  readonly gain: number;
  private sumLog = 0;
  private count = 0;

  constructor(p: PacerParams) {
    if (!(p.gain >= 0) || !Number.isFinite(p.gain)) throw new InputError(`pacingGain: expected a number ≥ 0, got ${p.gain}`);
    if (!(p.logLambda0 >= 0) || !Number.isFinite(p.logLambda0)) throw new InputError(`pacer.logLambda0: expected a number ≥ 0, got ${p.logLambda0}`);
    this.logLambda0 = p.logLambda0;
    this.gain = p.gain;
  }

  /** λ(o) ≥ 1. */
  lambda(o: Observation): number {
    const l = this.logLambda0 + this.gain * (o[OBS.timeLeft]! - o[OBS.budgetLeft]!);
    return l > 0 ? Math.exp(l) : 1;
  }

  /**
   * Writes into `out` a copy of `o` whose `value` is divided by λ(o) (the value
   * of the decoupled problem) and returns it.
   */
  pace(o: Observation, out: Float64Array): Float64Array {
    out.set(o);
    out[OBS.value] = o[OBS.value]! / this.lambda(o);
    return out;
  }

  /** Records λ(o) of an auction bid in during training (for the end-of-episode step). */
  record(o: Observation): void {
    const l = this.logLambda0 + this.gain * (o[OBS.timeLeft]! - o[OBS.budgetLeft]!);
    this.sumLog += l > 0 ? l : 0;
    this.count++;
  }

  /** End of a training episode: λ₀ ← geometric mean of the λ(o) used. */
  endEpisode(): void {
    if (this.count > 0) this.logLambda0 = this.sumLog / this.count;
    this.sumLog = 0;
    this.count = 0;
  }

  params(): PacerParams {
    return { logLambda0: this.logLambda0, gain: this.gain };
  }
}
