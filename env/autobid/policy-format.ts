/**
 * The plain-data form of an offline-trained auto-bidding policy (`bc`, `iql`):
 * what models/autobid/ training produces and agents/autobid/offline/policy.ts
 * bids with. Declared here, at the bottom layer, so that both can use it.
 */

/** Smallest factor α / cpa the action's log is taken of. */
export const MIN_FACTOR = 1e-3;

/** How states and actions are standardised. */
export interface Normalisation {
  stateMean: number[];
  stateStd: number[];
  /** Of log(α / cpa). */
  actionMean: number;
  actionStd: number;
  /** Smallest and largest logged α / cpa: the policy never bids outside what the data tried. */
  actionMin: number;
  actionMax: number;
  /** Rewards are divided by it. */
  rewardScale: number;
}

/** Weights of a ReLU MLP with linear output: per layer l, `w[l]` is `sizes[l+1] × sizes[l]` row-major (output unit major). */
export interface PlainMlp {
  sizes: number[];
  activation: 'relu' | 'tanh';
  w: number[][];
  b: number[][];
}

/** What a policy file stores for `bc` and `iql`. */
export interface OfflinePolicyParams {
  /** The state features the network reads, in order (checked against this build's). */
  features: string[];
  norm: Normalisation;
  network: PlainMlp;
  /** Largest α / cpa. */
  maxFactor: number;
}
