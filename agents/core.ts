/**
 * The Agent interface: every bidding algorithm implements {@link Agent}; what it
 * has learnt is frozen into a `Policy` (declared with the observation and the
 * auction outcome in env/core.ts, which the env owns) for evaluation and export.
 *
 * An action is a bid in currency units for the top slot (the exchange scales
 * payments in lower slots by their slot weights).
 */
import type { AuctionOutcome, Observation, Policy } from '../env/core.js';
import type { Rng } from '../env/rng.js';

export type { AuctionOutcome, Observation, Policy, PolicyParams } from '../env/core.js';

/**
 * One step of experience. Arrays are owned by the caller and reused after
 * `learn()` returns: copy what you keep.
 */
export interface Transition {
  observation: Observation;
  /** The bid made, currency units. */
  action: number;
  /** Reward: the bidder's own estimate of value won (observation `value` × slot weight) minus cost. */
  reward: number;
  /** Observation at the bidder's next auction; null when the episode ended. */
  nextObservation: Observation | null;
  /** Budget spent: the task ended, do not bootstrap. */
  terminated: boolean;
  /** Horizon reached: bootstrap as if the episode went on. */
  truncated: boolean;
  info: AuctionOutcome;
}

/** Static facts an agent is built with. */
export interface AgentContext {
  /** Bidder id (e.g. "rival-2"). */
  id: string;
  /** Episode budget, currency units; null without a budget. */
  budget: number | null;
  /** Auctions per episode (the horizon). */
  auctionsPerEpisode: number;
  /** Mechanism of the exchange (first-price, second-price, gsp, vcg). */
  mechanism: string;
  /** Number of slots sold per auction. */
  slots: number;
  /** Weight of each slot (w_0 = 1; absent: unknown, and learners then learn from the action played alone with several slots or a budget). */
  slotWeights?: readonly number[];
  /** Reserve price of the exchange, currency units (absent: unknown, as for `slotWeights`). */
  reservePrice?: number;
  /** A rough upper bound on the observation's `value` (for scaling bid grids and networks). */
  valueScale: number;
  /** The agent's own stream for initialisation (weights); exploration uses the stream given to act(). */
  rng: Rng;
}

/** A bidding algorithm. */
export interface Agent {
  readonly kind: string;
  /** When false (evaluation), act greedily and ignore learn(). */
  training: boolean;
  /** The bid for an observation; exploration draws only from `rng`. */
  act(observation: Observation, rng: Rng): number;
  /** One step of experience (the env calls it after each auction the bidder took part in). */
  learn(transition: Transition): void;
  /** Called at the end of every episode. */
  endEpisode(): void;
  /** A frozen copy of the current greedy policy. */
  policy(): Policy;
}

/** An agent that does not learn: act() is its frozen policy's bid. @example new StaticAgent('truthful', new TruthfulPolicy()) */
export class StaticAgent implements Agent {
  training = true;
  constructor(
    readonly kind: string,
    protected readonly frozen: Policy,
  ) {}
  act(observation: Observation, _rng: Rng): number {
    return this.frozen.bid(observation);
  }
  learn(_transition: Transition): void {}
  endEpisode(): void {}
  policy(): Policy {
    return this.frozen;
  }
}
