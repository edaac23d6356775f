/**
 * The categorical policy over bid multipliers that the policy-gradient learners
 * share (reinforce.ts, actor-critic.ts): π_θ(a | x) = softmax(f_θ(x)), f_θ an
 * MLP with one logit per multiplier (the actor), sampled with one uniform draw
 * while training and played at its mode in evaluation, and the gradient of its
 * loss with respect to the logits.
 */
import { z } from 'zod';
import type { Rng } from '../../env/rng.js';
import { argmax } from '../features.js';
import { Mlp } from '../nn.js';

/** Weight of the entropy bonus with bandit feedback ("auto"). */
const BANDIT_ENTROPY = 0.01;

/** The `entropy` field of REINFORCE and actor-critic. */
export const entropyField = z
  .union([z.number().min(0), z.literal('auto')])
  .default('auto')
  .describe(`weight β of the entropy bonus; auto = ${BANDIT_ENTROPY} when the learner learns from the action it played, 0 when it learns counterfactually (every action's reward known: exploring teaches nothing, and the bonus would flatten the policy where actions earn about the same)`);

/** β of an `entropy` field: "auto" resolved (see {@link entropyField}). */
export function resolveEntropy(entropy: number | 'auto', counterfactual: boolean): number {
  return entropy === 'auto' ? (counterfactual ? 0 : BANDIT_ENTROPY) : entropy;
}

/**
 * The actor network f_θ, starting from the uniform policy (zero output layer).
 * @param sizes layer widths: encoded features, hidden…, multipliers
 */
export function actorNetwork(sizes: number[], learningRate: number, rng: Rng): Mlp {
  const actor = new Mlp({ sizes, learningRate }, rng);
  actor.w[actor.w.length - 1]!.fill(0);
  return actor;
}

/**
 * The action for `logits`: sampled from softmax(logits) with one draw from
 * `explore` (training), or the mode without it (evaluation). Writes π into `probs` when sampling.
 */
export function categoricalAction(logits: Float64Array, probs: Float64Array, explore: Rng | null): number {
  return explore ? sampleSoftmax(logits, probs, explore.next()) : argmax(logits, 0, probs.length);
}

/** Numerically stable softmax of `z` into `p`. */
export function softmax(z: ArrayLike<number>, p: Float64Array): void {
  let m = -Infinity;
  for (let a = 0; a < p.length; a++) if (z[a]! > m) m = z[a]!;
  let s = 0;
  for (let a = 0; a < p.length; a++) {
    p[a] = Math.exp(z[a]! - m);
    s += p[a]!;
  }
  for (let a = 0; a < p.length; a++) p[a]! /= s;
}

/**
 * Samples an action from softmax(logits) with one uniform draw `u` in [0, 1);
 * writes the probabilities into `probs`.
 */
export function sampleSoftmax(logits: Float64Array, probs: Float64Array, u: number): number {
  softmax(logits, probs);
  let c = 0;
  for (let a = 0; a < probs.length; a++) {
    c += probs[a]!;
    if (u < c) return a;
  }
  return probs.length - 1;
}

/**
 * Gradient of −adv · log π(a) − β · H(π) with respect to the logits, into `d`
 * (`p` = π, already computed). The gradient of log-softmax with respect to the
 * logits is onehot(a) − π; of the entropy H = −Σ π log π it is −π_j (log π_j + H)
 * (Williams, 1992; Sutton & Barto, 2nd ed., §13.3).
 */
export function policyGradient(p: Float64Array, a: number, adv: number, beta: number, d: Float64Array): void {
  let h = 0;
  for (let j = 0; j < p.length; j++) if (p[j]! > 0) h -= p[j]! * Math.log(p[j]!);
  for (let j = 0; j < p.length; j++) {
    const logp = p[j]! > 0 ? Math.log(p[j]!) : 0;
    d[j] = -adv * ((j === a ? 1 : 0) - p[j]!) + beta * p[j]! * (logp + h);
  }
}

/**
 * Gradient of −Σ_j π_j r_j − β · H(π) with respect to the logits, into `d`, when
 * the reward r_j of every action is known (full information,
 * learner/shaper.ts `counterfactual`): the all-action policy gradient (Sutton et
 * al., 1999; "mean actor-critic", Allen et al., 2017), π_j (r̄ − r_j) with
 * r̄ = Σ π r, plus the entropy term of {@link policyGradient}. No sampled action,
 * no baseline: its expectation is the sampled gradient's, without its variance.
 */
export function allActionGradient(p: Float64Array, r: ArrayLike<number>, beta: number, d: Float64Array): void {
  let h = 0;
  let mean = 0;
  for (let j = 0; j < p.length; j++) {
    if (p[j]! > 0) h -= p[j]! * Math.log(p[j]!);
    mean += p[j]! * r[j]!;
  }
  for (let j = 0; j < p.length; j++) {
    const logp = p[j]! > 0 ? Math.log(p[j]!) : 0;
    d[j] = p[j]! * (mean - r[j]!) + beta * p[j]! * (logp + h);
  }
}
