/**
 * The small interface the simulator needs from an interest (click) model.
 * `models/` implements it with TensorFlow.js; `oracle` (true CTR) lives here.
 */
import type { UserPopulation } from './users/population.js';

/** Predicts click probabilities for (user, ad) pairs of one population. */
export interface CtrPredictor {
  /** `oracle`, `attention`, `logistic`, `mf`, … */
  readonly kind: string;
  /**
   * Writes into `out[k]` (k < n) the probability that user `users[k]` of `pop`
   * clicks ad `ads[k]` (global ad index) shown in the top slot, given the user's
   * current history and features. One call per batch: a vector env puts all
   * envs' pairs into one call.
   */
  predict(pop: UserPopulation, users: Int32Array, ads: Int32Array, n: number, out: Float32Array): void;
}
