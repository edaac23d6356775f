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
 * - it bids `m × v / λ(o)`, where m is the multiplier it learns (the shading
 *   that suits the auction format and the rivals), and
 * - it learns m from the reward `(r − (λ(o) − 1) · cost) / λ(o) = value won / λ − cost`,
 *   where r = value won − cost is the env's reward,
 *
 * exactly what it would do without a budget. λ(o) is set by a pacing rule that
 * is a pure function of the observation, so the frozen policy is too:
 *
 *   log λ(o) = max(log λ_min, log λ₀ + κ · ln((timeLeft + δ) / (budgetLeft + δ))),  δ = 0.01
 *
 * (the `ratio` rule: spending ahead of schedule raises the price of money,
 * lagging behind lowers it; with κ = 1, λ is λ₀ times the ratio of the time
 * left to the budget left). It measures the lag against what is *left*, not
 * against the episode's start: a bidder whose λ₀ is too high for the episode at
 * hand (it spends too slowly) sees λ fall until it spends at the rate the
 * remaining budget needs, and it ends the episode with its budget spent, since
 * the ratio, not the difference, is what holds λ away from λ₀. It is the
 * continuous form of the dual step of adaptive pacing in multiplicative form,
 * with the target rate re-solved from the budget and time left. Policy files
 * written before it (no `rule`) keep the `difference` rule they were learnt
 * with, log λ₀ + κ · (timeLeft − budgetLeft): there a λ₀ off by a factor 2
 * needs a lasting gap of ln 2 / κ of the budget, which is left unspent at the
 * end (with it and κ = 1.5 the learners spent 65–78% of their budgets in the
 * user market of test/agents/budget.test.ts).
 *
 * After each training episode λ₀ moves to the geometric mean of λ(o) over
 * that episode's auctions, a fixed-point step that settles at the level the
 * market needs. λ_min (default 0.5) may be below 1: a bidder that lags behind
 * its schedule then values a win up to 1/λ_min times its value. With a floor at
 * 1 (the price of money of a surplus maximiser) the mean of λ over an episode is
 * biased upwards whenever the budget is close to what the bidder would spend
 * anyway (the controller's downward moves are cut off, its upward ones are
 * not), and the bidder ends its episodes with budget left, winning less value
 * than the budget allows.
 *
 * Units: the learner sees the paced value in units of λ₀, v' = v · λ₀ / λ(o) (so
 * that its features keep the scale of its values however tight the budget, and
 * λ₀'s moves between episodes leave what it has learnt about v' in place), and
 * its bid in those units, b', becomes b' / λ₀ (= m × v / λ(o) for a multiplier
 * m). A bid level ℓ (currency) is a level on that paced scale, ℓ × λ₀ / λ(o),
 * capped at v': its bid is min(ℓ, v) / λ(o), so that it rises as λ falls and
 * falls as λ rises, as a multiplier's does (`pacedLevels`, what the learners
 * write; policy files without it bid min(ℓ, v') / λ₀, a level that does not
 * follow λ below the value, and keep that meaning).
 *
 * Without a budget λ = 1 and the learner's reward is the env's reward.
 */
import { InputError } from '../../env/errors.js';
import { OBS } from '../../env/observation.js';
import type { Observation } from '../core.js';
import { actionBid, valueOf } from '../features.js';

/** Plain-data state of a {@link BudgetPacer} (what policy files store). */
export interface PacerParams {
  /** log λ₀, ≥ 0. */
  logLambda0: number;
  /** Gain κ on the gap between the time left and the budget left, ≥ 0. */
  gain: number;
  /** log λ_min, ≤ 0 (absent: 0, λ never below 1). */
  minLogLambda?: number;
  /**
   * How λ follows the schedule: `ratio`, log λ₀ + κ · ln((timeLeft + δ) / (budgetLeft + δ)) (what the
   * learners write); absent (`difference`, policy files written before it), log λ₀ + κ · (timeLeft − budgetLeft).
   */
  rule?: 'ratio';
  /**
   * How the bid levels follow λ: `true`, a level's bid is min(level, v) / λ(o) (the level applied to the paced
   * value scale, like a multiplier: it rises as λ falls; what the learners write); absent (policy files written
   * before it), min(level, v') / λ₀, which does not follow λ below the value.
   */
  pacedLevels?: true;
}

/** δ of the ratio rule: keeps ln((timeLeft + δ) / (budgetLeft + δ)) finite when the budget or the time is gone. */
export const RATIO_SMOOTHING = 0.01;

/** The price of money λ(o) of a learner with a budget (see the file comment). */
export class BudgetPacer {
  logLambda0: number;
  readonly gain: number;
  readonly minLogLambda: number;
  readonly rule: 'ratio' | undefined;
  readonly pacedLevels: boolean;
  private sumLog = 0;
  private count = 0;

  constructor(p: PacerParams) {
    if (!(p.gain >= 0) || !Number.isFinite(p.gain)) throw new InputError(`pacingGain: expected a number ≥ 0, got ${p.gain}`);
    const m = p.minLogLambda ?? 0;
    if (!(m <= 0) || !Number.isFinite(m)) throw new InputError(`pacer.minLogLambda: expected a number ≤ 0, got ${m}`);
    if (!(p.logLambda0 >= m) || !Number.isFinite(p.logLambda0)) throw new InputError(`pacer.logLambda0: expected a number ≥ ${m}, got ${p.logLambda0}`);
    this.logLambda0 = p.logLambda0;
    this.gain = p.gain;
    this.minLogLambda = m;
    this.rule = p.rule;
    this.pacedLevels = p.pacedLevels === true;
  }

  /** log λ(o). */
  logLambda(o: Observation): number {
    const tl = o[OBS.timeLeft]!;
    const bl = o[OBS.budgetLeft]!;
    const gap = this.rule === 'ratio' ? Math.log((tl + RATIO_SMOOTHING) / (bl + RATIO_SMOOTHING)) : tl - bl;
    const l = this.logLambda0 + this.gain * gap;
    return l > this.minLogLambda ? l : this.minLogLambda;
  }

  /** λ(o) ≥ λ_min. */
  lambda(o: Observation): number {
    return Math.exp(this.logLambda(o));
  }

  /** λ₀: the unit of the learner's paced values and bids. */
  get base(): number {
    return Math.exp(this.logLambda0);
  }

  /**
   * Writes into `out` a copy of `o` whose `value` is v · λ₀ / λ(o) (the value of
   * the decoupled problem, in units of λ₀) and returns it.
   */
  pace(o: Observation, out: Float64Array): Float64Array {
    out.set(o);
    out[OBS.value] = o[OBS.value]! * Math.exp(this.logLambda0 - this.logLambda(o));
    return out;
  }

  /**
   * The bid in currency of action `a` on `o` (features.ts `actionBid`): with
   * {@link pacedLevels}, b(a, v) / λ(o) — m × v / λ(o) for a multiplier,
   * min(ℓ, v) / λ(o) for a level ℓ (the level in units of the paced value scale,
   * ℓ × λ₀ / λ(o), capped at v', divided by λ₀); without, b(a, v') / λ₀ (the
   * same for a multiplier; a level's bid then does not rise as λ falls).
   */
  bid(multipliers: readonly number[], levels: readonly number[], a: number, o: Observation): number {
    if (this.pacedLevels) return actionBid(multipliers, levels, a, valueOf(o)) / this.lambda(o);
    return actionBid(multipliers, levels, a, valueOf(o) * Math.exp(this.logLambda0 - this.logLambda(o))) / this.base;
  }

  /** Records λ(o) of an auction bid in during training (for the end-of-episode step). */
  record(o: Observation): void {
    this.sumLog += this.logLambda(o);
    this.count++;
  }

  /** End of a training episode: λ₀ ← geometric mean of the λ(o) used. */
  endEpisode(): void {
    if (this.count > 0) this.logLambda0 = this.sumLog / this.count;
    this.sumLog = 0;
    this.count = 0;
  }

  params(): PacerParams {
    return { logLambda0: this.logLambda0, gain: this.gain, ...(this.minLogLambda !== 0 ? { minLogLambda: this.minLogLambda } : {}), ...(this.rule ? { rule: this.rule } : {}), ...(this.pacedLevels ? { pacedLevels: true as const } : {}) };
  }
}
