/**
 * AuctionNet's score of an auto-bidding episode (the NeurIPS 2024 auto-bidding
 * competition's metric): conversions × penalty, where
 *
 *   penalty = 1                    if CPA ≤ target,
 *   penalty = (target / CPA)^β     otherwise (β = 2 by default),
 *
 * and CPA = cost / conversions, the realised cost per conversion. An episode
 * with no conversion has CPA = ∞ when it spent anything (penalty 0, score 0
 * anyway, since the score is conversions × penalty) and CPA = 0 when it spent
 * nothing. Pure functions, no state.
 */

/** Inputs of {@link cpaScore}. */
export interface CpaOutcome {
  /** Conversions won (≥ 0; realised counts, or expected conversions for a smooth variant). */
  conversions: number;
  /** Money spent (≥ 0), currency units. */
  cost: number;
  /** Target cost per conversion (> 0), currency units. */
  target: number;
  /** Exponent of the penalty (≥ 0; default 2, AuctionNet's). */
  beta?: number;
}

/** What {@link cpaScore} returns. */
export interface CpaScore {
  /** Realised CPA: cost / conversions (0 with no cost, ∞ with cost but no conversion). */
  cpa: number;
  /** 1 when CPA ≤ target, (target / CPA)^β otherwise. */
  penalty: number;
  /** conversions × penalty. */
  score: number;
}

/** Realised cost per conversion: 0 with no cost, ∞ with cost but no conversion. */
export function realisedCpa(cost: number, conversions: number): number {
  if (cost <= 0) return 0;
  return conversions > 0 ? cost / conversions : Infinity;
}

/** The penalty factor of AuctionNet's score for a realised CPA. */
export function cpaPenalty(cpa: number, target: number, beta = 2): number {
  if (!(target > 0)) throw new RangeError(`cpa target: expected a positive number, got ${target}`);
  if (!(beta >= 0)) throw new RangeError(`beta: expected a number ≥ 0, got ${beta}`);
  if (cpa <= target) return 1;
  return Math.pow(target / cpa, beta);
}

/**
 * AuctionNet's score of an episode.
 * @example cpaScore({ conversions: 10, cost: 1200, target: 100 }) // { cpa: 120, penalty: (100/120)², score: 6.94… }
 */
export function cpaScore(o: CpaOutcome): CpaScore {
  if (!(o.conversions >= 0) || !(o.cost >= 0)) throw new RangeError(`cpaScore: conversions and cost must be ≥ 0, got ${o.conversions}, ${o.cost}`);
  const cpa = realisedCpa(o.cost, o.conversions);
  const penalty = cpaPenalty(cpa, o.target, o.beta ?? 2);
  return { cpa, penalty, score: o.conversions * penalty };
}

/**
 * The score-shaped step reward: the change of the episode's score over one step,
 * score(after the step) − score(before it). Summed over an episode it telescopes
 * to the episode's score, so a learner that maximises its return maximises
 * AuctionNet's score (CPA-aware by construction: a step that pushes the CPA over
 * the target can have a negative reward).
 */
export function scoreDelta(before: { conversions: number; cost: number }, after: { conversions: number; cost: number }, target: number, beta = 2): number {
  return cpaScore({ ...after, target, beta }).score - cpaScore({ ...before, target, beta }).score;
}

/**
 * Return on investment: value / cost, with value = conversions × the value of a
 * conversion (∞ with value and no cost; with neither, ∞ too: nothing was spent,
 * so no constraint is broken).
 */
export function realisedRoi(value: number, cost: number): number {
  return cost > 0 ? value / cost : Infinity;
}

/** The penalty of an ROI target, analogous to the CPA's: 1 if ROI ≥ target, (ROI / target)^β otherwise. */
export function roiPenalty(roi: number, target: number, beta = 2): number {
  if (!(target > 0)) throw new RangeError(`roi target: expected a positive number, got ${target}`);
  if (!(beta >= 0)) throw new RangeError(`beta: expected a number ≥ 0, got ${beta}`);
  if (roi >= target) return 1;
  return Math.pow(roi / target, beta);
}

/** The constraints of one advertiser: a CPA target, and optionally an ROI target with the value of a conversion. */
export interface Targets {
  /** Target CPA (> 0), currency units. */
  cpa: number;
  /** Target ROI (> 0): value / cost must be at least this. */
  roi?: number;
  /** Value of one conversion (> 0), currency units (needed with `roi`). */
  conversionValue?: number;
}

/** What {@link targetScore} returns. */
export interface TargetScore extends CpaScore {
  /** value / cost (conversions × conversionValue / cost); present with an ROI target. */
  roi?: number;
  /** The ROI target's penalty; present with an ROI target. */
  roiPenalty?: number;
  /** The CPA target's penalty alone. */
  cpaPenalty: number;
}

/**
 * The score under a CPA target and an optional ROI target:
 * conversions × cpaPenalty × roiPenalty (`penalty` is the product). With value
 * v per conversion, ROI = v / CPA, so ROI ≥ R is the CPA constraint
 * CPA ≤ v / R, and roiPenalty = ((v / R) / CPA)^β when it binds: the CPA
 * penalty at that target. Breaking both constraints is penalised by both.
 */
export function targetScore(o: { conversions: number; cost: number; beta?: number }, t: Targets): TargetScore {
  const s = cpaScore({ conversions: o.conversions, cost: o.cost, target: t.cpa, beta: o.beta });
  if (t.roi === undefined) return { ...s, cpaPenalty: s.penalty };
  const roi = realisedRoi(o.conversions * t.conversionValue!, o.cost);
  const rp = roiPenalty(roi, t.roi, o.beta ?? 2);
  return { cpa: s.cpa, cpaPenalty: s.penalty, roi, roiPenalty: rp, penalty: s.penalty * rp, score: o.conversions * s.penalty * rp };
}

/**
 * The CPA an auto-bidder steers to: the target, or with an ROI target the
 * tighter of the target and conversionValue / roi (the CPA at which the ROI
 * target is met exactly).
 */
export function bindingCpa(t: Targets): number {
  return t.roi === undefined ? t.cpa : Math.min(t.cpa, t.conversionValue! / t.roi);
}

/** {@link scoreDelta} under {@link Targets}: the change of {@link targetScore} over a step. */
export function targetScoreDelta(before: { conversions: number; cost: number }, after: { conversions: number; cost: number }, t: Targets, beta = 2): number {
  return targetScore({ ...after, beta }, t).score - targetScore({ ...before, beta }, t).score;
}
