/**
 * The step-level auto-bidding interface (AuctionNet's `bid = α · pValue`).
 *
 * An auto-bidder is called once per decision step: it sees a
 * {@link StepObservation} (its state features, its budget and totals, and the
 * predicted values of the step's opportunities) and returns one bid factor α in
 * currency units per conversion; the market bids α × pValue on every
 * opportunity of the step for it. After the step it gets the outcome per
 * opportunity ({@link StepFeedback}). Types only: env/ owns them, agents/autobid/
 * implements them.
 */
import type { Rng } from '../rng.js';
import type { AutoBidContext, EpisodeTotals, StepFeedback } from './state.js';

export type { AutoBidContext, EpisodeTotals, StepFeedback } from './state.js';

/** What an auto-bidder sees at the start of a step. */
export interface StepObservation {
  /** Step index, 0-based. */
  t: number;
  /** The advertiser's budget, target CPA and number of steps. */
  ctx: AutoBidContext;
  /** The state features (STATE_FEATURES in state.ts). */
  state: Float64Array;
  /** Budget left, currency units. */
  remainingBudget: number;
  /** Cost, conversions, expected conversions, opportunities and wins so far. */
  totals: Readonly<EpisodeTotals>;
  /** Predicted conversion probabilities of this step's opportunities (the first `n`). */
  pValues: ArrayLike<number>;
  /** Number of opportunities in this step. */
  n: number;
}

/** An agent that sets one bid factor per decision step. */
export interface AutoBidder {
  readonly kind: string;
  /** Starts an episode (called before its first step). */
  reset(ctx: AutoBidContext): void;
  /** The bid factor α (≥ 0, currency per conversion) for this step; randomness only from `rng`. */
  factor(o: StepObservation, rng: Rng): number;
  /** The outcome of the step just played (arrays are reused by the market: copy what you keep). */
  observe(f: StepFeedback, o: StepObservation): void;
  /** The episode ended for this bidder (last step played, or budget exhausted); `last` is the final state (n = 0). */
  endEpisode?(last: StepObservation): void;
  /**
   * Learning on (training episodes) or off (evaluation). Only learners that
   * learn online implement it; the runner calls it with true before the
   * config's training `episodes` and with false before the evaluation episodes.
   */
  setLearning?(on: boolean): void;
  /** Plain-data parameters that recreate this bidder's policy (JSON-safe). */
  params(): Record<string, unknown>;
}
