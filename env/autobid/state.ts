/**
 * The per-step state of an auto-bidding agent and the tracker that computes it.
 *
 * An auto-bidding episode has `steps` decision steps (AuctionNet: 48). At the
 * start of step t the agent sees the state below and the predicted values
 * (pValues) of the step's opportunities, and chooses one bid factor α; it then
 * bids α × pValue on each of them. After the step it is told, per opportunity,
 * what happened (slot, cost, exposure, conversion, the least winning cost).
 *
 * Every feature is scale-free (shares, ratios to the CPA target or to the
 * episode's own averages), so one policy can serve advertisers with different
 * budgets and targets. The action a learner outputs is the normalised factor
 * α / target (1 = bid the target CPA times pValue, the "truthful" CPA bid).
 */
import type { Targets } from './score.js';

/** The state features, in order. Each one documented. */
export const STATE_FEATURES = [
  /** Share of the episode's steps still to play, (T − t) / T: 1 at the first step. */
  'timeLeft',
  /** Share of the budget left: remaining budget / budget. */
  'budgetLeft',
  /** Realised CPA so far over the target: cost / (target × max(conversions, 1)); 0 before any cost. */
  'cpaRatio',
  /** The same with expected conversions (Σ pValue of the exposed wins) instead of realised ones: less noisy; 0 before any cost. */
  'expectedCpaRatio',
  /** Spending pace of the last step: its cost over the even share of what was left, (remaining at its start) / (steps left then); 1 = on pace to spend exactly the budget; 0 at the first step. */
  'spendPace',
  /** Share of the last step's opportunities that won a slot (0 at the first step). */
  'winRateLast',
  /** Share of all past opportunities that won a slot (0 at the first step). */
  'winRateAll',
  /** Price level of the last step: mean least winning cost / (target × mean pValue) — the factor α/target needed to win an average opportunity (0 at the first step). */
  'priceLast',
  /** The same over all past steps (0 at the first step). */
  'priceAll',
  /** The last step's factor over the target, α / target (0 at the first step). */
  'lastFactor',
  /** Opportunities this step over the mean per past step (1 at the first step). */
  'volumeNow',
  /** Mean pValue this step over the mean pValue of past opportunities (1 at the first step). */
  'pValueNow',
  /** Conversions so far at the target price over the budget: conversions × target / budget. */
  'conversionValue',
] as const;

/**
 * Unit, upper bound and meaning of each state feature, as a step-level policy
 * file declares them (agents/autobid/policy-file.ts): `share` features lie in
 * [0, 1], `ratio` features in [0, FEATURE_CAP].
 */
export const STATE_FEATURE_INFO: { readonly [K in (typeof STATE_FEATURES)[number]]: { unit: 'share' | 'ratio'; description: string } } = {
  timeLeft: { unit: 'share', description: 'share of the episode\'s steps still to play, (T − t) / T' },
  budgetLeft: { unit: 'share', description: 'remaining budget / budget' },
  cpaRatio: { unit: 'ratio', description: 'cost so far / (target × max(conversions, 1)); 0 before any cost' },
  expectedCpaRatio: { unit: 'ratio', description: 'cpaRatio with expected conversions (Σ pValue of exposed wins); 0 before any cost' },
  spendPace: { unit: 'ratio', description: "last step's cost / (budget left at its start / steps left then); 1 = on pace" },
  winRateLast: { unit: 'share', description: "share of the last step's opportunities that won a slot" },
  winRateAll: { unit: 'share', description: 'share of all past opportunities that won a slot' },
  priceLast: { unit: 'ratio', description: 'last step: mean least winning cost / (target × mean pValue)' },
  priceAll: { unit: 'ratio', description: 'all past steps: mean least winning cost / (target × mean pValue)' },
  lastFactor: { unit: 'ratio', description: 'last α / target' },
  volumeNow: { unit: 'ratio', description: 'opportunities this step / mean per past step' },
  pValueNow: { unit: 'ratio', description: 'mean pValue this step / mean pValue of the past' },
  conversionValue: { unit: 'ratio', description: 'conversions × target / budget' },
};

/** Number of state features. */
export const STATE_SIZE = STATE_FEATURES.length;

/** Index of each feature by name. */
export const S = Object.fromEntries(STATE_FEATURES.map((n, i) => [n, i])) as { readonly [K in (typeof STATE_FEATURES)[number]]: number };

/** Largest value any ratio feature takes (keeps networks' inputs bounded). */
export const FEATURE_CAP = 10;

/** What happened to one advertiser in one step, per opportunity (arrays of the step's length). */
export interface StepFeedback {
  /** Predicted conversion probability of each opportunity (what the agent saw). */
  pValue: ArrayLike<number>;
  /** The bid made on it. */
  bid: ArrayLike<number>;
  /** Slot won, 1-based (1 = top); 0 = no slot. */
  slot: ArrayLike<number>;
  /** Money charged (0 unless exposed). */
  cost: ArrayLike<number>;
  /** 1 when the ad was exposed. */
  exposed: ArrayLike<number>;
  /** 1 when the exposed ad converted. */
  conversion: ArrayLike<number>;
  /** Price of the lowest slot: the highest bid that won no slot (or the reserve). */
  leastWinningCost: ArrayLike<number>;
  /** Number of opportunities (the arrays may be longer: only the first `n` count). */
  n: number;
}

/** Static facts of one advertiser's episode. */
export interface AutoBidContext {
  /** Episode budget, currency units (> 0). */
  budget: number;
  /**
   * The CPA the agent steers to, currency units (> 0): the target CPA, or with
   * an ROI target the tighter of the target and conversionValue / roi
   * (score.ts `bindingCpa`).
   */
  cpa: number;
  /** Decision steps per episode (≥ 1). */
  steps: number;
  /** The stated targets, present only when an ROI target is set (the score uses them; `cpa` above is the binding one). */
  targets?: Targets;
}

/** Cumulative episode figures of one advertiser. */
export interface EpisodeTotals {
  cost: number;
  conversions: number;
  /** Σ pValue over exposed wins. */
  expectedConversions: number;
  opportunities: number;
  wins: number;
}

const cap = (x: number): number => (Number.isFinite(x) ? Math.min(FEATURE_CAP, Math.max(-FEATURE_CAP, x)) : FEATURE_CAP);

/**
 * Tracks one advertiser's episode and computes its state. Call {@link state}
 * at the start of each step with the step's pValues, then {@link record} with
 * the step's feedback. Deterministic: the state is a function of what was recorded.
 */
export class StepTracker {
  /** Index of the current step (0-based). */
  t = 0;
  remaining: number;
  readonly totals: EpisodeTotals = { cost: 0, conversions: 0, expectedConversions: 0, opportunities: 0, wins: 0 };
  private sumPValue = 0;
  private sumLwc = 0;
  private last = { cost: 0, remainingAtStart: 0, stepsLeftAtStart: 0, wins: 0, n: 0, sumPValue: 0, sumLwc: 0, factor: 0 };

  constructor(readonly ctx: AutoBidContext) {
    if (!(ctx.budget > 0)) throw new RangeError(`budget: expected a positive number, got ${ctx.budget}`);
    if (!(ctx.cpa > 0)) throw new RangeError(`cpa: expected a positive number, got ${ctx.cpa}`);
    if (!Number.isInteger(ctx.steps) || ctx.steps < 1) throw new RangeError(`steps: expected a positive integer, got ${ctx.steps}`);
    this.remaining = ctx.budget;
  }

  /** True once every step was played. */
  get done(): boolean {
    return this.t >= this.ctx.steps;
  }

  /**
   * The state at the start of the current step.
   * @param pValues the step's predicted values (only the first `n` count)
   * @param out array of {@link STATE_SIZE} to fill (a new one by default)
   */
  state(pValues: ArrayLike<number>, n: number = pValues.length, out: Float64Array = new Float64Array(STATE_SIZE)): Float64Array {
    const { budget, cpa, steps } = this.ctx;
    const T = this.totals;
    const L = this.last;
    const first = this.t === 0;
    let pv = 0;
    for (let i = 0; i < n; i++) pv += pValues[i]!;
    const pastSteps = this.t;
    out[S.timeLeft] = (steps - this.t) / steps;
    out[S.budgetLeft] = this.remaining / budget;
    out[S.cpaRatio] = T.cost > 0 ? cap(T.cost / (cpa * Math.max(T.conversions, 1))) : 0;
    out[S.expectedCpaRatio] = T.cost > 0 ? cap(T.cost / (cpa * Math.max(T.expectedConversions, 1e-9))) : 0;
    out[S.spendPace] = first || L.remainingAtStart <= 0 ? 0 : cap(L.cost / (L.remainingAtStart / L.stepsLeftAtStart));
    out[S.winRateLast] = L.n > 0 ? L.wins / L.n : 0;
    out[S.winRateAll] = T.opportunities > 0 ? T.wins / T.opportunities : 0;
    out[S.priceLast] = L.sumPValue > 0 ? cap(L.sumLwc / (cpa * L.sumPValue)) : 0;
    out[S.priceAll] = this.sumPValue > 0 ? cap(this.sumLwc / (cpa * this.sumPValue)) : 0;
    out[S.lastFactor] = first ? 0 : cap(L.factor / cpa);
    out[S.volumeNow] = pastSteps > 0 && T.opportunities > 0 ? cap(n / (T.opportunities / pastSteps)) : 1;
    out[S.pValueNow] = this.sumPValue > 0 && n > 0 ? cap(pv / n / (this.sumPValue / T.opportunities)) : 1;
    out[S.conversionValue] = cap((T.conversions * cpa) / budget);
    return out;
  }

  /**
   * Records the current step's outcome and moves to the next step.
   * @param factor the bid factor α used in the step (currency units)
   */
  record(f: StepFeedback, factor: number): void {
    const T = this.totals;
    let cost = 0;
    let conv = 0;
    let econv = 0;
    let wins = 0;
    let pv = 0;
    let lwc = 0;
    for (let i = 0; i < f.n; i++) {
      cost += f.cost[i]!;
      conv += f.conversion[i]!;
      if (f.exposed[i]! > 0) econv += f.pValue[i]!;
      if (f.slot[i]! > 0) wins++;
      pv += f.pValue[i]!;
      lwc += f.leastWinningCost[i]!;
    }
    this.last = { cost, remainingAtStart: this.remaining, stepsLeftAtStart: this.ctx.steps - this.t, wins, n: f.n, sumPValue: pv, sumLwc: lwc, factor };
    T.cost += cost;
    T.conversions += conv;
    T.expectedConversions += econv;
    T.opportunities += f.n;
    T.wins += wins;
    this.sumPValue += pv;
    this.sumLwc += lwc;
    this.remaining = Math.max(0, this.remaining - cost);
    this.t++;
  }
}
