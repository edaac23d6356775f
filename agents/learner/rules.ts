/**
 * The learning rules every bootstrapping learner shares (q-learning.ts, dqn.ts,
 * reinforce.ts, actor-critic.ts), written once.
 *
 * Discount "auto": γ = 1 when the budget is learnt from the state (an episode's
 * value is the sum of its auctions', and spending now leaves less for later),
 * else γ = 0 (no bid changes what the bidder sees next, so each auction is a
 * bandit problem and bootstrapping would only add noise).
 *
 * Bootstrapping at the horizon: a transition whose budget ran out (`terminated`)
 * never bootstraps. At the horizon (`truncated`, no next observation) a learner
 * bootstraps from its current state when time is not part of the state (the
 * horizon is then an outside interruption), and does not when `timeLeft` is a
 * feature (the state knows the episode ends, so the end is a true terminal of
 * the time-augmented MDP; Pardo et al., "Time Limits in Reinforcement
 * Learning", 2018).
 */
import { InputError } from '../../env/errors.js';
import type { Transition } from '../core.js';
import type { EncoderSpec } from '../features.js';

/**
 * The discount γ of a learner.
 * @param discount a number in [0, 1], or "auto"
 * @param budgetInState true when the bidder has a budget it learns to spend from its state (not paced)
 * @throws InputError naming `discount` when it is outside [0, 1]
 * @example resolveDiscount('auto', false) // 0
 */
export function resolveDiscount(discount: number | 'auto', budgetInState: boolean): number {
  const gamma = discount === 'auto' ? (budgetInState ? 1 : 0) : discount;
  if (!(gamma >= 0 && gamma <= 1)) throw new InputError(`discount: expected a number in [0, 1] or "auto", got ${discount}`);
  return gamma;
}

/** True when the encoded state includes the time left (the horizon is then part of the MDP). */
export function isTimeAware(spec: EncoderSpec): boolean {
  return spec.features.some((f) => f.name === 'timeLeft');
}

/**
 * What the target of a transition bootstraps from: the next observation, the
 * current one (at the horizon, when time is not in the state), or nothing.
 * @param discount γ in [0, 1] (0: never bootstrap)
 * @param timeAware whether the state includes the time left ({@link isTimeAware})
 */
export function bootstrapFrom(t: Transition, discount: number, timeAware: boolean): 'next' | 'self' | 'none' {
  if (t.terminated || !(discount > 0)) return 'none';
  if (t.nextObservation) return 'next';
  return timeAware ? 'none' : 'self';
}
